//! The result records that every binding returns in the same shape, declared once.
//!
//! [`records!`](crate::records!) hands the list below to a binding's own macro, which
//! declares one class of its language per record (a pyo3 class, a napi object, a
//! uniffi record) and fills it from the core value's JSON. Field types are abstract
//! and each binding maps them:
//!
//! | type         | meaning                                   | Python, Node     | Kotlin                   |
//! |--------------|-------------------------------------------|------------------|--------------------------|
//! | `Text`       | a string (sids too)                       | `str`, `string`  | `String`                 |
//! | `OptText`    | a string or nothing                       | `str \| None`    | `String?`                |
//! | `Texts`      | a list of strings                         | `list[str]`      | `List<String>`           |
//! | `Bool`       | a boolean                                 | `bool`           | `Boolean`                |
//! | `OptInt`     | a signed integer or nothing               | `int \| None`    | `Long?`                  |
//! | `Instant`    | an instant (RFC 3339 in the core's JSON)  | RFC 3339 `str`   | `java.time.Instant`      |
//! | `OptInstant` | an instant or nothing                     | `str \| None`    | `java.time.Instant?`     |
//! | `Details`    | a JSON object of the engine's own keys    | `dict`, object (camelCase keys) | JSON text |
//! | `OptJson`    | a JSON value from outside (claims), as is | `dict \| None`   | JSON text or `null`      |
//!
//! A record named here is declared nowhere else; a new one needs only its entry
//! here and the method that returns it in each binding.

/// Invokes `$expand! { … }` with every shared record: its doc comment, name, and
/// fields (doc comment, name, abstract type), in the order the bindings list them.
#[macro_export]
macro_rules! records {
    ($expand:ident) => {
        $expand! {
            /// An organization.
            Organization {
                /// Its sid (`OR…`).
                sid: Text,
                /// Its display name.
                name: Text,
                /// When it was created.
                created_at: Instant,
            }

            /// An account of an organization.
            Account {
                /// Its sid (`AC…`).
                sid: Text,
                /// The organization it belongs to.
                organization_sid: Text,
                /// Its display name.
                name: Text,
                /// The user who owns it (`US…`): the one named at creation while it
                /// exists, else the organization's longest-standing Owner; none
                /// while the organization has no Owner.
                owner_sid: OptText,
                /// When it was created.
                created_at: Instant,
            }

            /// A managed user of an organization.
            User {
                /// Its sid (`US…`).
                sid: Text,
                /// The organization that manages it.
                organization_sid: Text,
                /// Its login name (the SCIM `userName`, an email address).
                user_name: Text,
                /// Its organization roles by name, e.g. `Owner`.
                roles: Texts,
                /// Whether it is active (SCIM `active` is not `false`).
                active: Bool,
                /// Whether it signs in through single sign-on (SSO users cannot
                /// approve apps).
                sso: Bool,
                /// When it was created.
                created_at: Instant,
            }

            /// An app a user of the organization authorized.
            Authorization {
                /// Its sid.
                sid: Text,
                /// The authorized app.
                client_id: Text,
                /// The app's organization.
                organization_sid: Text,
                /// The user who authorized it.
                authorized_by: Text,
                /// The scopes granted.
                scopes: Texts,
                /// When it was first authorized.
                created_at: Instant,
                /// When it was revoked, if it was.
                revoked_at: OptInstant,
            }

            /// A role held by a user (the identity) in a scope.
            RoleAssignment {
                /// Its sid (`IY…`).
                sid: Text,
                /// The role (`IX…`).
                role_sid: Text,
                /// The organization or account it applies in.
                scope: Text,
                /// The user who holds the role.
                identity: Text,
                /// The organization it belongs to.
                organization_sid: Text,
                /// When it was made.
                date_created: Instant,
            }

            /// An audit event.
            AuditEvent {
                /// Its sid.
                sid: Text,
                /// Its type, e.g. `oauth-apps.created`.
                event_type: Text,
                /// When it happened, by the engine clock.
                at: Instant,
                /// Who did it.
                actor: Text,
                /// What it is about (a client id, an authorization sid, …).
                subject: Text,
                /// Further details (the grace period of a rotation, …); never a
                /// secret.
                details: Details,
            }

            /// A token taken apart, and the engine's verdict on it.
            TokenInspection {
                /// Whether the token verifies now.
                valid: Bool,
                /// The stable code of the refusal (`token_expired`,
                /// `token_revoked`, `invalid_issuer`, `invalid_signature`, …);
                /// none when valid.
                code: OptText,
                /// The refusal, for people; none when valid.
                message: OptText,
                /// For an expired token, how many seconds ago (by the engine
                /// clock) it expired.
                expired_seconds_ago: OptInt,
                /// The JOSE header, if it decodes (never trusted).
                header: OptJson,
                /// The claims, if they decode; verified only when `valid`.
                claims: OptJson,
            }
        }
    };
}
