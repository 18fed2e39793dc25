//! The compact stored form of a User, and [`UserRef`], a stored user read in place.
//!
//! A [`Slot`] has a fixed size and holds no pointer: its strings lie in its table's
//! text arena and its emails in the table's email arena, in creation order. A scan
//! of many users so reads three arrays front to back, instead of chasing a pointer
//! per string, which is what makes filtering many users fast. The attributes
//! filters rarely read (phone numbers, addresses, the enterprise extension, …) lie
//! in the text arena too, as one span of canonical JSON, parsed when read.

use std::collections::HashMap;

use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::ids::UserSid;
use crate::scim::etag::version_tag;
use crate::scim::schema::{AttrDef, ENTERPRISE_URN, USER_URN};
use crate::scim::users::record::{rfc3339, EmailRecord, EmailRef, NameRecord, NameRef, UserRecord};
use crate::secrets::PasswordHash;

/// Where a string lies in a slot's text, relative to its start; [`Span::NONE`] when
/// the attribute is unassigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    pub const NONE: Span = Span {
        start: 0,
        len: u32::MAX,
    };
}

/// The single-valued string attributes, as indexes into [`Slot::fields`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field {
    UserName,
    ExternalId,
    DisplayName,
    Formatted,
    FamilyName,
    GivenName,
    Locale,
    Timezone,
    Title,
    MiddleName,
    HonorificPrefix,
    HonorificSuffix,
    /// The other attributes, as canonical JSON.
    Extra,
    /// The password's hash, encoded.
    PasswordHash,
}

/// How many [`Field`]s there are.
pub(crate) const FIELDS: usize = 14;

/// Where one email's strings lie, and its `primary` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EmailSpans {
    pub value: Span,
    pub kind: Span,
    pub display: Span,
    pub primary: Option<bool>,
}

/// One stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    pub id: UserSid,
    pub created: OffsetDateTime,
    pub last_modified: OffsetDateTime,
    pub version: u64,
    /// Where its text starts in the table's text arena, and its length.
    pub text: usize,
    pub text_len: usize,
    /// Where its emails start in the table's email arena, and how many.
    pub emails: usize,
    pub email_count: usize,
    pub fields: [Span; FIELDS],
    pub active: Option<bool>,
    pub sso: bool,
}

/// The text and email arenas of a user table, which its users are read from.
#[derive(Clone, Copy)]
pub(crate) struct Arenas<'t> {
    pub(crate) text: &'t str,
    pub(crate) emails: &'t [EmailSpans],
}

impl<'t> Arenas<'t> {
    pub(crate) fn text(self, start: usize, end: usize) -> Option<&'t str> {
        self.text.get(start..end)
    }

    pub(crate) fn email_spans(self, start: usize, count: usize) -> &'t [EmailSpans] {
        start
            .checked_add(count)
            .and_then(|end| self.emails.get(start..end))
            .unwrap_or_default()
    }
}

/// A stored user, read in place.
#[derive(Clone, Copy)]
pub(crate) struct UserRef<'t> {
    pub(crate) arenas: Arenas<'t>,
    pub(crate) slot: &'t Slot,
}

impl std::fmt::Debug for UserRef<'_> {
    /// The slot, without the arenas around it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("UserRef").field(self.slot).finish()
    }
}

impl<'t> UserRef<'t> {
    /// Its id.
    pub fn id(self) -> UserSid {
        self.slot.id
    }

    /// When it was created.
    pub fn created(self) -> OffsetDateTime {
        self.slot.created
    }

    /// When it last changed.
    pub fn last_modified(self) -> OffsetDateTime {
        self.slot.last_modified
    }

    /// `active`.
    pub fn active(self) -> Option<bool> {
        self.slot.active
    }

    /// The engine-side SSO flag.
    pub fn sso(self) -> bool {
        self.slot.sso
    }

    fn span(self, span: Span) -> Option<&'t str> {
        if span == Span::NONE {
            return None;
        }
        let start = self
            .slot
            .text
            .checked_add(usize::try_from(span.start).ok()?)?;
        let end = start.checked_add(usize::try_from(span.len).ok()?)?;
        self.arenas.text(start, end)
    }

    fn field(self, field: Field) -> Option<&'t str> {
        self.span(self.slot.fields[field as usize])
    }

    /// `userName`.
    pub fn user_name(self) -> &'t str {
        self.field(Field::UserName).unwrap_or_default()
    }

    /// `externalId`.
    pub fn external_id(self) -> Option<&'t str> {
        self.field(Field::ExternalId)
    }

    /// `displayName`.
    pub fn display_name(self) -> Option<&'t str> {
        self.field(Field::DisplayName)
    }

    /// `locale`.
    pub fn locale(self) -> Option<&'t str> {
        self.field(Field::Locale)
    }

    /// `timezone`.
    pub fn timezone(self) -> Option<&'t str> {
        self.field(Field::Timezone)
    }

    /// `title`.
    pub fn title(self) -> Option<&'t str> {
        self.field(Field::Title)
    }

    /// `name`, when some component is set.
    pub fn name(self) -> Option<NameRef<'t>> {
        let name = NameRef {
            formatted: self.field(Field::Formatted),
            family_name: self.field(Field::FamilyName),
            given_name: self.field(Field::GivenName),
            middle_name: self.field(Field::MiddleName),
            honorific_prefix: self.field(Field::HonorificPrefix),
            honorific_suffix: self.field(Field::HonorificSuffix),
        };
        [
            name.formatted,
            name.family_name,
            name.given_name,
            name.middle_name,
            name.honorific_prefix,
            name.honorific_suffix,
        ]
        .iter()
        .any(Option::is_some)
        .then_some(name)
    }

    /// The attributes kept as JSON (see [`UserRecord::extra`]); empty when none.
    pub fn extra(self) -> Map<String, Value> {
        self.field(Field::Extra)
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    /// The value of one attribute kept as JSON, parsing only that value (and, for
    /// an extension's attribute, the extension's members) out of the stored text.
    pub fn extra_member(self, attr: &AttrDef) -> Option<Value> {
        type Members<'j> = HashMap<&'j str, &'j RawValue>;
        let text = self.field(Field::Extra)?;
        let top: Members<'_> = serde_json::from_str(text).ok()?;
        let raw = match attr.extension {
            Some(urn) => {
                let home: Members<'_> = serde_json::from_str(top.get(urn)?.get()).ok()?;
                *home.get(attr.name)?
            }
            None => *top.get(attr.name)?,
        };
        serde_json::from_str(raw.get()).ok()
    }

    /// Whether the user has any attribute kept as JSON.
    pub fn has_extra(self) -> bool {
        self.slot.fields[Field::Extra as usize] != Span::NONE
    }

    /// The password's hash.
    pub fn password_hash(self) -> Option<PasswordHash> {
        self.field(Field::PasswordHash)
            .and_then(|text| PasswordHash::parse(text).ok())
    }

    /// `emails`, in order.
    pub fn emails(self) -> impl Iterator<Item = EmailRef<'t>> + 't {
        let this = self;
        self.arenas
            .email_spans(self.slot.emails, self.slot.email_count)
            .iter()
            .map(move |e| EmailRef {
                value: this.span(e.value),
                kind: this.span(e.kind),
                display: this.span(e.display),
                primary: e.primary,
            })
    }

    /// `meta.version`: `W/"n"`.
    pub fn version_tag(self) -> String {
        version_tag(self.slot.version)
    }

    /// `meta.location`: `{users_url}/{id}`.
    pub fn location(self, users_url: &str) -> String {
        format!("{users_url}/{}", self.slot.id)
    }

    /// This user, owned.
    pub fn to_record(self) -> UserRecord {
        let owned = |s: Option<&str>| s.map(str::to_owned);
        UserRecord {
            id: self.slot.id,
            user_name: self.user_name().to_owned(),
            external_id: owned(self.external_id()),
            display_name: owned(self.display_name()),
            name: self.name().map(|n| NameRecord {
                formatted: owned(n.formatted),
                family_name: owned(n.family_name),
                given_name: owned(n.given_name),
                middle_name: owned(n.middle_name),
                honorific_prefix: owned(n.honorific_prefix),
                honorific_suffix: owned(n.honorific_suffix),
            }),
            emails: self
                .emails()
                .map(|e| EmailRecord {
                    value: owned(e.value),
                    kind: owned(e.kind),
                    display: owned(e.display),
                    primary: e.primary,
                })
                .collect(),
            active: self.slot.active,
            locale: owned(self.locale()),
            timezone: owned(self.timezone()),
            title: owned(self.title()),
            created: self.slot.created,
            last_modified: self.slot.last_modified,
            version: self.slot.version,
            sso: self.slot.sso,
            password_hash: self.password_hash(),
            extra: self.extra(),
        }
    }

    /// This user with the canonical `attributes` (checked by the rule set): same
    /// id, creation time and SSO flag, modified `at`, next version. Without a
    /// `password` in `attributes` the user keeps its password unless
    /// `drop_password`.
    pub fn replaced_by(
        self,
        attributes: Map<String, Value>,
        at: OffsetDateTime,
        drop_password: bool,
    ) -> UserRecord {
        let next = UserRecord::new(self.slot.id, attributes, at);
        let kept = if drop_password {
            None
        } else {
            self.password_hash()
        };
        UserRecord {
            created: self.slot.created,
            version: self.slot.version.saturating_add(1),
            sso: self.slot.sso,
            password_hash: next.password_hash.clone().or(kept),
            ..next
        }
    }

    /// The SCIM JSON of this user; `users_url` is the Users endpoint its
    /// `meta.location` lives under.
    pub fn to_resource(self, users_url: &str) -> Value {
        let mut out = Map::new();
        let mut put = |key: &str, value: Value| {
            out.insert(key.to_owned(), value);
        };
        let extra = self.extra();
        if extra.contains_key(ENTERPRISE_URN) {
            put("schemas", json!([USER_URN, ENTERPRISE_URN]));
        } else {
            put("schemas", json!([USER_URN]));
        }
        put("id", json!(self.slot.id));
        if let Some(v) = self.external_id() {
            put("externalId", json!(v));
        }
        put("userName", json!(self.user_name()));
        if let Some(n) = self.name() {
            put("name", json!(n));
        }
        if let Some(v) = self.display_name() {
            put("displayName", json!(v));
        }
        if self.slot.email_count > 0 {
            put(
                "emails",
                Value::Array(self.emails().map(|e| json!(e)).collect()),
            );
        }
        if let Some(v) = self.slot.active {
            put("active", json!(v));
        }
        for (key, value) in [
            ("locale", self.locale()),
            ("timezone", self.timezone()),
            ("title", self.title()),
        ] {
            if let Some(v) = value {
                put(key, json!(v));
            }
        }
        for (key, value) in extra {
            put(&key, value);
        }
        put(
            "meta",
            json!({
                "resourceType": "User",
                "created": rfc3339(self.slot.created),
                "lastModified": rfc3339(self.slot.last_modified),
                "version": self.version_tag(),
                "location": self.location(users_url),
            }),
        );
        Value::Object(out)
    }
}
