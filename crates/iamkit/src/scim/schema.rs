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

/// A resource schema: its URN, its attributes and the common attributes.
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
}

impl Schema {
    /// Every attribute, listed ones first, then the common ones.
    pub fn all_attributes(&'static self) -> impl Iterator<Item = &'static AttrDef> {
        self.attributes.iter().chain(self.common.iter())
    }

    /// The top-level attribute called `name` (ASCII case ignored, URN prefix allowed).
    pub fn attribute(&'static self, name: &str) -> Option<&'static AttrDef> {
        let name = self.strip_urn(name)?;
        self.all_attributes()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// `path` without this schema's `URN:` prefix; `None` when it carries another URN.
    pub fn strip_urn<'a>(&self, path: &'a str) -> Option<&'a str> {
        let has_urn = path
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
        if !has_urn {
            return Some(path);
        }
        let prefix_len = self.id.len();
        let prefix = path.get(..prefix_len)?;
        let rest = path.get(prefix_len..)?;
        if prefix.eq_ignore_ascii_case(self.id) {
            rest.strip_prefix(':')
        } else {
            None
        }
    }
}

const fn string(name: &'static str, description: &'static str) -> AttrDef {
    AttrDef::new(name, AttrType::String, description)
}

const NAME_SUBS: &[AttrDef] = &[
    string("formatted", "The full name, formatted for display."),
    string("familyName", "The family name, or last name."),
    string("givenName", "The given name, or first name."),
];

const EMAIL_VALUE: AttrDef = string("value", "The email address.");
const EMAIL_DISPLAY: AttrDef = string("display", "A human-readable name for the address.");
const EMAIL_TYPE: AttrDef = string("type", "The kind of address: 'work', 'home' or 'other'.")
    .canonical(&["work", "home", "other"]);
const EMAIL_PRIMARY: AttrDef = AttrDef::new(
    "primary",
    AttrType::Boolean,
    "Whether this is the user's primary address.",
);

/// Twilio's email sub-attributes: every email has a `value`.
const TWILIO_EMAIL_SUBS: &[AttrDef] = &[
    EMAIL_VALUE.required(),
    EMAIL_DISPLAY,
    EMAIL_TYPE,
    EMAIL_PRIMARY,
];

/// RFC 7643 §8.7.1's email sub-attributes: none is required.
const RFC7643_EMAIL_SUBS: &[AttrDef] = &[EMAIL_VALUE, EMAIL_DISPLAY, EMAIL_TYPE, EMAIL_PRIMARY];

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
    AttrDef::new("location", AttrType::Reference, "The URI of the user.")
        .case_exact()
        .mutability(Mutability::ReadOnly)
        .references(&["uri"]),
    string("version", "The user's version, as its ETag.")
        .case_exact()
        .mutability(Mutability::ReadOnly),
];

const USER_NAME: AttrDef = string(
    "userName",
    "The unique identifier the user signs in with; unique ignoring case.",
)
.required()
.uniqueness(Uniqueness::Server);
const NAME: AttrDef = AttrDef::complex("name", "The components of the user's name.", NAME_SUBS);
const DISPLAY_NAME: AttrDef = string("displayName", "The name shown to people.");
const ACTIVE: AttrDef = AttrDef::new("active", AttrType::Boolean, "Whether the user may sign in.");
const LOCALE: AttrDef = string("locale", "The user's locale, e.g. 'en-US'.");
const TIMEZONE: AttrDef = string(
    "timezone",
    "The user's time zone, e.g. 'America/Los_Angeles'.",
);
const TITLE: AttrDef = string("title", "The user's job title.");

/// The User attributes under Twilio's rules: `userName` equals the primary email,
/// and a user has at least one email, each with a `value`.
const TWILIO_USER_ATTRIBUTES: &[AttrDef] = &[
    string(
        "userName",
        "The unique login name; Twilio requires it to equal the primary email.",
    )
    .required()
    .uniqueness(Uniqueness::Server),
    NAME,
    DISPLAY_NAME,
    AttrDef::complex(
        "emails",
        "Email addresses; at least one, each with a value.",
        TWILIO_EMAIL_SUBS,
    )
    .multi()
    .required(),
    ACTIVE,
    LOCALE,
    TIMEZONE,
    TITLE,
];

/// The User attributes under RFC 7643 §4.1 and §8.7.1: only `userName` is required.
const RFC7643_USER_ATTRIBUTES: &[AttrDef] = &[
    USER_NAME,
    NAME,
    DISPLAY_NAME,
    AttrDef::complex("emails", "Email addresses.", RFC7643_EMAIL_SUBS).multi(),
    ACTIVE,
    LOCALE,
    TIMEZONE,
    TITLE,
];

const USER_COMMON: &[AttrDef] = &[
    string("id", "The user's sid (US…), assigned by the server.")
        .case_exact()
        .mutability(Mutability::ReadOnly)
        .returned(Returned::Always)
        .uniqueness(Uniqueness::Server),
    string("externalId", "The identifier the provisioning client uses.").case_exact(),
    AttrDef::complex("meta", "Resource metadata.", META_SUBS).mutability(Mutability::ReadOnly),
    AttrDef::new(
        "schemas",
        AttrType::Reference,
        "The schema URNs of the resource.",
    )
    .multi()
    .case_exact()
    .returned(Returned::Always)
    .references(&["uri"]),
];

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
};

/// The User schema as RFC 7643 §4.1 and §8.7.1 define it: only `userName` is
/// required.
pub static RFC7643_USER_SCHEMA: Schema = Schema {
    id: USER_URN,
    name: "User",
    description: "User Account",
    attributes: RFC7643_USER_ATTRIBUTES,
    common: USER_COMMON,
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
        assert!(user.attribute("nickName").is_none());
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
