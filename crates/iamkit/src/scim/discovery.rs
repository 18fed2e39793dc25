//! The discovery resources (RFC 7643 §5–§7, RFC 7644 §4): ServiceProviderConfig,
//! ResourceTypes and Schemas, as JSON. `base_url` is the SCIM root (for example
//! `https://iam.example/scim/v2`); a trailing `/` is ignored.

use serde_json::{json, Value};

use crate::scim::schema::{AttrDef, Schema, ENTERPRISE_SCHEMA, USER_SCHEMA};
use crate::scim::validate::ScimRules;

/// The URN of the ServiceProviderConfig schema.
pub const SERVICE_PROVIDER_CONFIG_URN: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// The URN of the ResourceType schema.
pub const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// The URN of the Schema schema.
pub const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// The URN of a list response.
pub const LIST_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The URN of a search request (`POST /.search`, RFC 7644 §3.4.3).
pub const SEARCH_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

fn root(base_url: &str) -> &str {
    base_url.trim_end_matches('/')
}

/// A ListResponse holding `resources`.
fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_URN],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// `/ServiceProviderConfig`: PATCH, filtering (up to `max_results` results),
/// sorting and ETags supported; bulk and password change not; OAuth bearer tokens.
pub fn service_provider_config(base_url: &str, max_results: usize) -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_URN],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": max_results},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with an OAuth 2.0 bearer access token (RFC 6750).",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", root(base_url)),
        },
    })
}

/// `/ResourceTypes/User`.
pub fn user_resource_type(base_url: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_URN],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": USER_SCHEMA.id,
        "schemaExtensions": USER_SCHEMA
            .extensions
            .iter()
            .map(|e| json!({"schema": e.id, "required": false}))
            .collect::<Vec<_>>(),
        "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/User", root(base_url))},
    })
}

/// `/ResourceTypes`: a ListResponse of every resource type (User).
pub fn resource_types(base_url: &str) -> Value {
    list(vec![user_resource_type(base_url)])
}

/// `/Schemas/urn:ietf:params:scim:schemas:core:2.0:User` under Twilio's rules.
pub fn user_schema(base_url: &str) -> Value {
    user_schema_with(base_url, ScimRules::Twilio)
}

/// `/Schemas/urn:ietf:params:scim:schemas:core:2.0:User` under `rules`: what it
/// marks required is what the rule set requires ([`ScimRules::user_schema`]).
pub fn user_schema_with(base_url: &str, rules: ScimRules) -> Value {
    schema_document(base_url, rules.user_schema())
}

/// `/Schemas/{id}` of one schema.
fn schema_document(base_url: &str, schema: &Schema) -> Value {
    json!({
        "schemas": [SCHEMA_URN],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": schema.attributes.iter().map(AttrDef::to_json).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": format!("{}/Schemas/{}", root(base_url), schema.id)},
    })
}

/// `/Schemas` under Twilio's rules: a ListResponse of every schema (User).
pub fn schemas(base_url: &str) -> Value {
    schemas_with(base_url, ScimRules::Twilio)
}

/// `/Schemas` under `rules`: a ListResponse of every schema (User, then the
/// enterprise User extension).
pub fn schemas_with(base_url: &str, rules: ScimRules) -> Value {
    list(vec![
        user_schema_with(base_url, rules),
        schema_document(base_url, &ENTERPRISE_SCHEMA),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents() {
        let spc = service_provider_config("https://h/scim/v2/", 200);
        assert_eq!(spc["filter"]["maxResults"], 200);
        assert_eq!(spc["bulk"]["supported"], false);
        assert_eq!(
            spc["meta"]["location"],
            "https://h/scim/v2/ServiceProviderConfig"
        );
        let types = resource_types("https://h/scim/v2");
        assert_eq!(types["totalResults"], 1);
        assert_eq!(types["Resources"][0]["endpoint"], "/Users");
        let schema = &schemas("https://h/scim/v2")["Resources"][0];
        assert_eq!(schema["id"], USER_SCHEMA.id);
        let names: Vec<&str> = schema["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["name"].as_str())
            .collect();
        assert_eq!(
            names,
            [
                "userName",
                "name",
                "displayName",
                "nickName",
                "profileUrl",
                "title",
                "userType",
                "preferredLanguage",
                "locale",
                "timezone",
                "active",
                "password",
                "emails",
                "phoneNumbers",
                "ims",
                "photos",
                "addresses",
                "groups",
                "entitlements",
                "roles",
                "x509Certificates"
            ]
        );
        assert_eq!(schema["attributes"][0]["uniqueness"], "server");
        let password = &schema["attributes"][11];
        assert_eq!(
            (&password["mutability"], &password["returned"]),
            (&json!("writeOnly"), &json!("never"))
        );
        assert_eq!(schema["attributes"][17]["mutability"], "readOnly");
        let extension = &schemas("https://h/scim/v2")["Resources"][1];
        assert_eq!(extension["id"], ENTERPRISE_SCHEMA.id);
        let manager = &extension["attributes"][5];
        assert_eq!(manager["name"], "manager");
        assert_eq!(manager["subAttributes"][2]["mutability"], "readOnly");
        assert_eq!(
            types["Resources"][0]["schemaExtensions"],
            json!([{"schema": ENTERPRISE_SCHEMA.id, "required": false}])
        );
    }
}
