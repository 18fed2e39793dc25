//! A `userName`'s identity: the form RFC 8265's UsernameCaseMapped profile enforces
//! (fullwidth and halfwidth characters mapped to their plain forms, lower-cased,
//! NFC), so `ｏwner@example.com` and `Owner@example.com`, or `café` decomposed and
//! composed, are one user. Uniqueness, the `userName` index and the filter
//! `userName eq` all compare this form.

use std::borrow::Cow;

use precis_profiles::precis_core::profile::PrecisFastInvocation;
use precis_profiles::precis_core::Error;
use precis_profiles::UsernameCaseMapped;

/// `user_name` prepared and enforced by the UsernameCaseMapped profile, or why the
/// profile refuses it (a message naming the first refused code point).
pub(crate) fn enforce(user_name: &str) -> Result<Cow<'_, str>, String> {
    UsernameCaseMapped::enforce(user_name).map_err(|e| match e {
        Error::BadCodepoint(info) => format!(
            "`userName` must not contain U+{:04X}: RFC 8265 usernames refuse spaces, \
             invisible and format characters",
            info.cp
        ),
        _ => "`userName` is not a username RFC 8265 accepts \
              (it breaks the profile's bidirectional rule)"
            .to_owned(),
    })
}

/// The key that identifies `user_name`: its enforced form, or, for a name the
/// profile refuses (one stored before the rule, or a filter value), its simple
/// lower-cased form, which no enforced name equals unless it is the same name.
pub(crate) fn key(user_name: &str) -> String {
    match UsernameCaseMapped::enforce(user_name) {
        Ok(form) => form.into_owned(),
        Err(_) => crate::scim::fold::fold(user_name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_share_a_key_or_are_refused() {
        assert_eq!(key("Owner@Example.com"), "owner@example.com");
        assert_eq!(key("\u{ff4f}wner@example.com"), "owner@example.com");
        assert_eq!(key("cafe\u{301}@example.com"), key("caf\u{e9}@example.com"));
        assert_eq!(
            enforce("first.last+tag@example.com").as_deref(),
            Ok("first.last+tag@example.com")
        );
        for (name, cp) in [
            ("own\u{200b}er@example.com", "200B"),
            ("\u{feff}owner@example.com", "FEFF"),
            ("owner\u{2060}@example.com", "2060"),
            ("owner\u{202e}@example.com", "202E"),
            ("ann smith", "0020"),
        ] {
            assert_eq!(
                enforce(name),
                Err(format!(
                    "`userName` must not contain U+{cp}: RFC 8265 usernames refuse spaces, \
                     invisible and format characters"
                )),
                "{name:?}"
            );
        }
    }
}
