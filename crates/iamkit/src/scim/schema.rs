//! Attribute definitions (RFC 7643 §2, §7) and the User schema, as Twilio serves it
//! ([`USER_SCHEMA`]) and as RFC 7643 defines it ([`RFC7643_USER_SCHEMA`]); the two
//! differ only in what they require.
//!
//! A [`Schema`] is static data. Names are looked up ignoring ASCII case, with or
//! without the schema URN prefix (`urn:ietf:params:scim:schemas:core:2.0:User:userName`).
//! The common attributes `id`, `externalId`, `meta` and `schemas` resolve like any
//! other but are not listed in the Schemas discovery document (RFC 7643 §3.1).

use serde_json::{json, Map, Value};

/// The URN of the core User schema.
pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// The data type of an attribute (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// A Unicode string.
    String,
    /// `true` or `false`.
    Boolean,
    /// A real number.
    Decimal,
    /// A whole number.
    Integer,
    /// An RFC 3339 instant, compared as an instant.
    DateTime,
    /// A URI.
    Reference,
    /// An object of sub-attributes.
    Complex,
    /// Base64 data.
    Binary,
}

/// Whether and when a client may write an attribute (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Set by the server only.
    ReadOnly,
    /// Written and read freely.
    ReadWrite,
    /// Written once, at creation.
    Immutable,
    /// Written, never returned.
    WriteOnly,
}

/// When an attribute appears in responses (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// Always, whatever `attributes`/`excludedAttributes` say.
    Always,
    /// Never.
    Never,
    /// Unless excluded, or unless `attributes` names others.
    Default,
    /// Only when named in `attributes`.
    Request,
}

/// How unique an attribute's value must be (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    /// No constraint.
    None,
    /// Unique among the server's resources of this type.
    Server,
    /// Unique everywhere.
    Global,
}

impl AttrType {
    /// The name RFC 7643 gives the type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Boolean => "boolean",
            Self::Decimal => "decimal",
            Self::Integer => "integer",
            Self::DateTime => "dateTime",
            Self::Reference => "reference",
            Self::Complex => "complex",
            Self::Binary => "binary",
        }
    }
}

impl Mutability {
    /// The name RFC 7643 gives the value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "readOnly",
            Self::ReadWrite => "readWrite",
            Self::Immutable => "immutable",
            Self::WriteOnly => "writeOnly",
        }
    }
}

impl Returned {
    /// The name RFC 7643 gives the value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::Never => "never",
            Self::Default => "default",
            Self::Request => "request",
        }
    }
}

impl Uniqueness {
    /// The name RFC 7643 gives the value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Server => "server",
            Self::Global => "global",
        }
    }
}

/// One attribute definition (RFC 7643 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrDef {
    /// The canonical name, e.g. `userName`.
    pub name: &'static str,
    /// The data type.
    pub ty: AttrType,
    /// Whether the value is an array.
    pub multi_valued: bool,
    /// A human description.
    pub description: &'static str,
    /// Whether a resource must carry it.
    pub required: bool,
    /// Whether string comparisons honour case.
    pub case_exact: bool,
    /// Who may write it.
    pub mutability: Mutability,
    /// When it is returned.
    pub returned: Returned,
    /// How unique its value must be.
    pub uniqueness: Uniqueness,
    /// Suggested values (not enforced).
    pub canonical_values: &'static [&'static str],
    /// For references: what they point at.
    pub reference_types: &'static [&'static str],
    /// For complex attributes: the sub-attributes.
    pub sub_attributes: &'static [AttrDef],
    /// For a top-level attribute of an extension schema, that schema's URN: its
    /// value sits in the resource under a member of that name (RFC 7643 §3.3).
    /// `None` for the core schema's attributes and for sub-attributes.
    pub extension: Option<&'static str>,
}

impl AttrDef {
    /// A single-valued, optional, case-insensitive, read-write attribute.
    pub const fn new(name: &'static str, ty: AttrType, description: &'static str) -> Self {
        Self {
            name,
            ty,
            multi_valued: false,
            description,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            canonical_values: &[],
            reference_types: &[],
            sub_attributes: &[],
            extension: None,
        }
    }

    /// A complex attribute with these sub-attributes.
    pub const fn complex(
        name: &'static str,
        description: &'static str,
        subs: &'static [AttrDef],
    ) -> Self {
        Self {
            sub_attributes: subs,
            ..Self::new(name, AttrType::Complex, description)
        }
    }

    /// Makes the attribute multi-valued.
    pub const fn multi(self) -> Self {
        Self {
            multi_valued: true,
            ..self
        }
    }

    /// Makes the attribute required.
    pub const fn required(self) -> Self {
        Self {
            required: true,
            ..self
        }
    }

    /// Makes string comparisons case-exact.
    pub const fn case_exact(self) -> Self {
        Self {
            case_exact: true,
            ..self
        }
    }

    /// Sets the mutability.
    pub const fn mutability(self, mutability: Mutability) -> Self {
        Self { mutability, ..self }
    }

    /// Sets when the attribute is returned.
    pub const fn returned(self, returned: Returned) -> Self {
        Self { returned, ..self }
    }

    /// Sets the uniqueness.
    pub const fn uniqueness(self, uniqueness: Uniqueness) -> Self {
        Self { uniqueness, ..self }
    }

    /// Sets the suggested values.
    pub const fn canonical(self, values: &'static [&'static str]) -> Self {
        Self {
            canonical_values: values,
            ..self
        }
    }

    /// Sets what a reference points at.
    pub const fn references(self, types: &'static [&'static str]) -> Self {
        Self {
            reference_types: types,
            ..self
        }
    }

    /// Places the attribute in the extension schema `urn`.
    pub const fn in_extension(self, urn: &'static str) -> Self {
        Self {
            extension: Some(urn),
            ..self
        }
    }

    /// The name a path gives it: `name`, or `URN:name` for an extension's attribute.
    pub fn qualified_name(&self) -> std::borrow::Cow<'static, str> {
        match self.extension {
            Some(urn) => format!("{urn}:{}", self.name).into(),
            None => self.name.into(),
        }
    }

    /// Whether this is a complex attribute.
    pub fn is_complex(&self) -> bool {
        self.ty == AttrType::Complex
    }

    /// The sub-attribute called `name`, ignoring ASCII case.
    pub fn sub_attribute(&self, name: &str) -> Option<&'static AttrDef> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The attribute a comparison on this attribute targets: itself, or its `value`
    /// sub-attribute for a multi-valued complex attribute (RFC 7644 §3.4.2.2,
    /// `emails co "example.com"`).
    pub fn implied_leaf(&'static self) -> Option<&'static AttrDef> {
        if !self.is_complex() {
            Some(self)
        } else if self.multi_valued {
            self.sub_attribute("value")
        } else {
            None
        }
    }

    /// The attribute's definition as the Schemas resource shows it.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("name".into(), self.name.into());
        out.insert("type".into(), self.ty.as_str().into());
        out.insert("multiValued".into(), self.multi_valued.into());
        out.insert("description".into(), self.description.into());
        out.insert("required".into(), self.required.into());
        if !self.is_complex() && self.ty != AttrType::Boolean {
            out.insert("caseExact".into(), self.case_exact.into());
        }
        if !self.canonical_values.is_empty() {
            out.insert("canonicalValues".into(), json!(self.canonical_values));
        }
        if !self.reference_types.is_empty() {
            out.insert("referenceTypes".into(), json!(self.reference_types));
        }
        out.insert("mutability".into(), self.mutability.as_str().into());
        out.insert("returned".into(), self.returned.as_str().into());
        out.insert("uniqueness".into(), self.uniqueness.as_str().into());
        if self.is_complex() {
            let subs = self.sub_attributes.iter().map(AttrDef::to_json).collect();
            out.insert("subAttributes".into(), Value::Array(subs));
        }
        Value::Object(out)
    }
}

/// A resource schema: its URN, its attributes, the common attributes and the
/// extension schemas a resource of it may carry.
#[derive(Debug, PartialEq, Eq)]
pub struct Schema {
    /// The schema URN.
    pub id: &'static str,
    /// A short name, e.g. `User`.
    pub name: &'static str,
    /// A human description.
    pub description: &'static str,
    /// The attributes the Schemas document lists.
    pub attributes: &'static [AttrDef],
    /// Common attributes (RFC 7643 §3.1) that resolve but are not listed.
    pub common: &'static [AttrDef],
    /// Extension schemas (RFC 7643 §3.3): their attributes sit in a resource under a
    /// member named by the extension's URN, and paths name them with that URN.
    pub extensions: &'static [&'static Schema],
}

/// Whether `path` starts with `urn` and a `:`, ignoring ASCII case; the rest if so.
fn after_urn<'a>(path: &'a str, urn: &str) -> Option<&'a str> {
    let prefix = path.get(..urn.len())?;
    let rest = path.get(urn.len()..)?;
    prefix
        .eq_ignore_ascii_case(urn)
        .then_some(rest)?
        .strip_prefix(':')
}

impl Schema {
    /// Its own attributes, listed ones first, then the common ones (not those of
    /// its extensions).
    pub fn all_attributes(&'static self) -> impl Iterator<Item = &'static AttrDef> {
        self.attributes.iter().chain(self.common.iter())
    }

    /// Every attribute a resource may carry: its own, then its extensions'.
    pub fn every_attribute(&'static self) -> impl Iterator<Item = &'static AttrDef> {
        self.all_attributes()
            .chain(self.extensions.iter().flat_map(|e| e.attributes.iter()))
    }

    /// The extension whose URN is `urn`, ignoring ASCII case.
    pub fn extension(&'static self, urn: &str) -> Option<&'static Schema> {
        self.extensions
            .iter()
            .copied()
            .find(|e| e.id.eq_ignore_ascii_case(urn))
    }

    /// The schema a path names — this one (with or without its URN prefix) or an
    /// extension (with its URN prefix) — and the path without the prefix. `None`
    /// when the path carries a URN that is neither.
    pub fn locate<'a>(&'static self, path: &'a str) -> Option<(&'static Schema, &'a str)> {
        let has_urn = path
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
        if !has_urn {
            return Some((self, path));
        }
        std::iter::once(self)
            .chain(self.extensions.iter().copied())
            .find_map(|schema| after_urn(path, schema.id).map(|rest| (schema, rest)))
    }

    /// The top-level attribute a path names (ASCII case ignored; an extension's
    /// attribute only with its URN prefix, a core one with or without).
    pub fn attribute(&'static self, name: &str) -> Option<&'static AttrDef> {
        let (schema, name) = self.locate(name)?;
        schema
            .all_attributes()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Why `name` names no attribute, pointing at an extension's attribute of that
    /// name (which a path must name with the extension's URN).
    pub fn unknown_attribute(&'static self, name: &str) -> String {
        match self
            .extensions
            .iter()
            .flat_map(|e| e.attributes.iter())
            .find(|a| a.name.eq_ignore_ascii_case(name))
        {
            Some(def) => format!(
                "unknown attribute `{name}`: the extension's attribute is `{}`",
                def.qualified_name()
            ),
            None => format!("unknown attribute `{name}`"),
        }
    }
}

const fn string(name: &'static str, description: &'static str) -> AttrDef {
    AttrDef::new(name, AttrType::String, description)
}

const fn boolean(name: &'static str, description: &'static str) -> AttrDef {
    AttrDef::new(name, AttrType::Boolean, description)
}

const fn reference(
    name: &'static str,
    description: &'static str,
    types: &'static [&'static str],
) -> AttrDef {
    AttrDef::new(name, AttrType::Reference, description).references(types)
}

/// A multi-valued complex attribute (RFC 7643 §2.4).
const fn multi(name: &'static str, description: &'static str, subs: &'static [AttrDef]) -> AttrDef {
    AttrDef::complex(name, description, subs).multi()
}

/// The `type` sub-attribute of a multi-valued attribute, with its suggested values.
const fn kind(values: &'static [&'static str]) -> AttrDef {
    string("type", "A label for the value's function.").canonical(values)
}

const DISPLAY: AttrDef = string("display", "A human-readable name, for display only.");
const PRIMARY: AttrDef = boolean(
    "primary",
    "Whether this is the preferred value; at most one value is primary.",
);
const VALUE: AttrDef = string("value", "The value.");

const NAME_SUBS: &[AttrDef] = &[
    string("formatted", "The full name, formatted for display."),
    string("familyName", "The family name, or last name."),
    string("givenName", "The given name, or first name."),
    string("middleName", "The middle names."),
    string(
        "honorificPrefix",
        "The honorific prefixes, or title, e.g. 'Ms.'.",
    ),
    string("honorificSuffix", "The honorific suffixes, e.g. 'III'."),
];

const EMAIL_VALUE: AttrDef = string("value", "The email address (RFC 5321).");
const EMAIL_TYPE: AttrDef = kind(&["work", "home", "other"]);

/// Twilio's email sub-attributes: every email has a `value`.
const TWILIO_EMAIL_SUBS: &[AttrDef] = &[EMAIL_VALUE.required(), DISPLAY, EMAIL_TYPE, PRIMARY];

/// RFC 7643 §8.7.1's email sub-attributes: none is required.
const RFC7643_EMAIL_SUBS: &[AttrDef] = &[EMAIL_VALUE, DISPLAY, EMAIL_TYPE, PRIMARY];

const PHONE_SUBS: &[AttrDef] = &[
    string(
        "value",
        "The phone number, as an RFC 3966 URI where possible.",
    ),
    DISPLAY,
    kind(&["work", "home", "mobile", "fax", "pager", "other"]),
    PRIMARY,
];

const IM_SUBS: &[AttrDef] = &[
    string("value", "The instant messaging address."),
    DISPLAY,
    kind(&["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
    PRIMARY,
];

const PHOTO_SUBS: &[AttrDef] = &[
    reference("value", "The URL of an image of the user.", &["external"]),
    DISPLAY,
    kind(&["photo", "thumbnail"]),
    PRIMARY,
];

const ADDRESS_SUBS: &[AttrDef] = &[
    string(
        "formatted",
        "The full mailing address, formatted for display.",
    ),
    string(
        "streetAddress",
        "The street, with house number and any unit.",
    ),
    string("locality", "The city or locality."),
    string("region", "The state or region."),
    string("postalCode", "The postal code."),
    string("country", "The country, as an ISO 3166-1 alpha-2 code."),
    kind(&["work", "home", "other"]),
    PRIMARY,
];

const GROUP_SUBS: &[AttrDef] = &[
    string("value", "The id of the group.").mutability(Mutability::ReadOnly),
    reference("$ref", "The URI of the group.", &["User", "Group"]).mutability(Mutability::ReadOnly),
    DISPLAY.mutability(Mutability::ReadOnly),
    kind(&["direct", "indirect"]).mutability(Mutability::ReadOnly),
];

const PLAIN_SUBS: &[AttrDef] = &[
    VALUE,
    DISPLAY,
    string("type", "A label for the value's function."),
    PRIMARY,
];

const CERTIFICATE_SUBS: &[AttrDef] = &[
    AttrDef::new(
        "value",
        AttrType::Binary,
        "A DER-encoded X.509 certificate, in base64.",
    ),
    DISPLAY,
    string("type", "A label for the certificate's function."),
    PRIMARY,
];

const META_SUBS: &[AttrDef] = &[
    string("resourceType", "The resource type: 'User'.")
        .case_exact()
        .mutability(Mutability::ReadOnly),
    AttrDef::new("created", AttrType::DateTime, "When the user was created.")
        .mutability(Mutability::ReadOnly),
    AttrDef::new(
        "lastModified",
        AttrType::DateTime,
        "When the user last changed.",
    )
    .mutability(Mutability::ReadOnly),
    reference("location", "The URI of the user.", &["uri"])
        .case_exact()
        .mutability(Mutability::ReadOnly),
    string("version", "The user's version, as its ETag.")
        .case_exact()
        .mutability(Mutability::ReadOnly),
];

/// The User attributes of RFC 7643 §4.1, in its order, with the given `userName`
/// and `emails` (which the rule sets define differently).
const fn user_attributes(user_name: AttrDef, emails: AttrDef) -> [AttrDef; 21] {
    [
        user_name,
        AttrDef::complex("name", "The components of the user's name.", NAME_SUBS),
        string("displayName", "The name shown to people."),
        string("nickName", "The casual name the user goes by."),
        reference(
            "profileUrl",
            "The URL of the user's online profile.",
            &["external"],
        ),
        string("title", "The user's job title."),
        string(
            "userType",
            "The user's relation to the organization, e.g. 'Employee'.",
        ),
        string(
            "preferredLanguage",
            "The user's preferred language, e.g. 'en-US'.",
        ),
        string("locale", "The user's locale, e.g. 'en-US'."),
        string(
            "timezone",
            "The user's time zone, e.g. 'America/Los_Angeles'.",
        ),
        boolean("active", "Whether the user may sign in."),
        string("password", "The user's password: written, never returned.")
            .mutability(Mutability::WriteOnly)
            .returned(Returned::Never),
        emails,
        multi("phoneNumbers", "Phone numbers.", PHONE_SUBS),
        multi("ims", "Instant messaging addresses.", IM_SUBS),
        multi("photos", "URLs of images of the user.", PHOTO_SUBS),
        multi("addresses", "Physical mailing addresses.", ADDRESS_SUBS),
        multi(
            "groups",
            "The groups the user belongs to; set by the server.",
            GROUP_SUBS,
        )
        .mutability(Mutability::ReadOnly),
        multi("entitlements", "What the user is entitled to.", PLAIN_SUBS),
        multi("roles", "The user's roles.", PLAIN_SUBS),
        multi(
            "x509Certificates",
            "The user's X.509 certificates.",
            CERTIFICATE_SUBS,
        ),
    ]
}

/// `userName`: required, unique in the server.
const fn user_name(description: &'static str) -> AttrDef {
    string("userName", description)
        .required()
        .uniqueness(Uniqueness::Server)
}

/// The User attributes under Twilio's rules: `userName` equals the primary email,
/// and a user has at least one email, each with a `value`.
const TWILIO_USER_ATTRIBUTES: &[AttrDef] = &user_attributes(
    user_name("The unique login name; Twilio requires it to equal the primary email."),
    multi(
        "emails",
        "Email addresses; at least one, each with a value.",
        TWILIO_EMAIL_SUBS,
    )
    .required(),
);

/// The User attributes under RFC 7643 §4.1 and §8.7.1: only `userName` is required.
const RFC7643_USER_ATTRIBUTES: &[AttrDef] = &user_attributes(
    user_name("The unique identifier the user signs in with; unique ignoring case."),
    multi("emails", "Email addresses.", RFC7643_EMAIL_SUBS),
);

const USER_COMMON: &[AttrDef] = &[
    string("id", "The user's sid (US…), assigned by the server.")
        .case_exact()
        .mutability(Mutability::ReadOnly)
        .returned(Returned::Always)
        .uniqueness(Uniqueness::Server),
    string("externalId", "The identifier the provisioning client uses.").case_exact(),
    AttrDef::complex("meta", "Resource metadata.", META_SUBS).mutability(Mutability::ReadOnly),
    reference("schemas", "The schema URNs of the resource.", &["uri"])
        .multi()
        .case_exact()
        .returned(Returned::Always),
];

/// The URN of the enterprise User extension (RFC 7643 §4.3).
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const MANAGER_SUBS: &[AttrDef] = &[
    string("value", "The id of the manager's User."),
    reference("$ref", "The URI of the manager's User.", &["User"]),
    string(
        "displayName",
        "The manager's displayName; set by the server.",
    )
    .mutability(Mutability::ReadOnly),
];

const fn enterprise(name: &'static str, description: &'static str) -> AttrDef {
    string(name, description).in_extension(ENTERPRISE_URN)
}

const ENTERPRISE_ATTRIBUTES: &[AttrDef] = &[
    enterprise(
        "employeeNumber",
        "The number the organization knows the user by.",
    ),
    enterprise("costCenter", "The user's cost center."),
    enterprise("organization", "The user's organization."),
    enterprise("division", "The user's division."),
    enterprise("department", "The user's department."),
    AttrDef::complex("manager", "The user's manager.", MANAGER_SUBS).in_extension(ENTERPRISE_URN),
];

/// The enterprise User extension (RFC 7643 §4.3), which both rule sets serve.
pub static ENTERPRISE_SCHEMA: Schema = Schema {
    id: ENTERPRISE_URN,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: ENTERPRISE_ATTRIBUTES,
    common: &[],
    extensions: &[],
};

/// The User schema (RFC 7643 §4.1) as Twilio serves it: `emails` is required, and
/// so is each email's `value`. Attribute look-ups (filters, paths, projections,
/// sorting) use it; [`RFC7643_USER_SCHEMA`] has the same attributes and differs
/// only in what is required.
pub static USER_SCHEMA: Schema = Schema {
    id: USER_URN,
    name: "User",
    description: "User Account",
    attributes: TWILIO_USER_ATTRIBUTES,
    common: USER_COMMON,
    extensions: &[&ENTERPRISE_SCHEMA],
};

/// The User schema as RFC 7643 §4.1 and §8.7.1 define it: only `userName` is
/// required.
pub static RFC7643_USER_SCHEMA: Schema = Schema {
    id: USER_URN,
    name: "User",
    description: "User Account",
    attributes: RFC7643_USER_ATTRIBUTES,
    common: USER_COMMON,
    extensions: &[&ENTERPRISE_SCHEMA],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case_and_urn() {
        let user = &USER_SCHEMA;
        assert_eq!(user.attribute("USERNAME").map(|a| a.name), Some("userName"));
        let urn = "urn:ietf:params:scim:schemas:core:2.0:user:userName";
        assert_eq!(user.attribute(urn).map(|a| a.name), Some("userName"));
        assert!(user
            .attribute("urn:ietf:params:scim:schemas:core:2.0:Group:userName")
            .is_none());
        assert!(user.attribute("urn:x").is_none());
        assert_eq!(user.attribute("NICKNAME").map(|a| a.name), Some("nickName"));
        assert!(user.attribute("department").is_none(), "needs the URN");
        let department = user.attribute(&format!("{ENTERPRISE_URN}:Department"));
        assert_eq!(
            department.map(|a| a.qualified_name()),
            Some(format!("{ENTERPRISE_URN}:department").into())
        );
        assert!(user
            .attribute(&format!("{ENTERPRISE_URN}:userName"))
            .is_none());
        assert_eq!(user.attribute("ID").map(|a| a.case_exact), Some(true));
    }

    #[test]
    fn implied_value_leaf() {
        let emails = USER_SCHEMA.attribute("emails").unwrap();
        assert_eq!(emails.implied_leaf().map(|a| a.name), Some("value"));
        assert!(USER_SCHEMA
            .attribute("name")
            .unwrap()
            .implied_leaf()
            .is_none());
    }

    #[test]
    fn json_shape() {
        let emails = USER_SCHEMA.attribute("emails").unwrap().to_json();
        assert_eq!(emails["type"], "complex");
        assert_eq!(emails["multiValued"], true);
        assert_eq!(emails["subAttributes"].as_array().map(Vec::len), Some(4));
        assert!(emails.get("caseExact").is_none());
    }
}
