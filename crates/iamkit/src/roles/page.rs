//! Pages of role assignments, in Twilio's token-paged list shape.
//!
//! A page token is an opaque cursor into the list's creation order: "from this
//! assignment on" (`next_token`) or "up to before this one" (`previous_token`). It
//! stays valid when assignments are added or deleted between requests, and works
//! with any filter (it only says where to start).
//!
//! The body is `{"content": [...], "meta": {...}}`. `meta` carries what each Twilio
//! SDK reads: `key` (`"content"`), `page_size`, `first_page_url`, `url`,
//! `next_page_url`, `previous_page_url` (the classic `Page`), and `pageSize`,
//! `nextToken`, `previousToken` (the token-paging `TokenPage`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::roles::assignments::RoleAssignment;
use crate::roles::error::{shown, RoleError};

/// Assignments per page when the request names no size (Twilio's default).
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page size.
pub const MAX_PAGE_SIZE: u32 = 100;
/// Longest page token accepted, in bytes.
const MAX_TOKEN_LEN: usize = 64;

/// A page of role assignments: the items and the cursors around them. Where the
/// list is served is the caller's to say: [`RoleAssignmentPage::at`] gives the page
/// in Twilio's shape with its links on that URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssignmentPage {
    /// The assignments, oldest first.
    pub content: Vec<RoleAssignment>,
    /// Where this page is and how to reach its neighbours.
    pub meta: PageMeta,
}

/// The `meta` of a page, without URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageMeta {
    /// The member holding the items: `"content"`.
    pub key: &'static str,
    /// Items per page.
    pub page_size: u32,
    /// The page's number, from 0: how many items come before its first, divided by
    /// the page size (Twilio's `meta.page`).
    pub page: u32,
    /// The list's filter and page size as query parameters
    /// (`Identity=US…&Scope=OR…&PageSize=50`), the same on every page.
    pub query: String,
    /// The `PageToken` of this page; none on the first page.
    pub page_token: Option<String>,
    /// The `PageToken` of the next page.
    pub next_token: Option<String>,
    /// The `PageToken` of the previous page.
    pub previous_token: Option<String>,
}

/// The links of a page on the list served at some URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLinks {
    /// The first page of this list.
    pub first_page_url: String,
    /// This page.
    pub url: String,
    /// The next page, if there is one.
    pub next_page_url: Option<String>,
    /// The previous page, if there is one.
    pub previous_page_url: Option<String>,
}

impl PageMeta {
    /// The links of this page on the list served at `list_url` (no query).
    pub fn links(&self, list_url: &str) -> PageLinks {
        let first = format!("{list_url}?{}", self.query);
        let at = |token: &str| format!("{first}&PageToken={token}");
        PageLinks {
            url: self.page_token.as_deref().map_or_else(|| first.clone(), at),
            next_page_url: self.next_token.as_deref().map(at),
            previous_page_url: self.previous_token.as_deref().map(at),
            first_page_url: first,
        }
    }
}

impl RoleAssignmentPage {
    /// The page in Twilio's shape (`{"content": [...], "meta": {...}}`), its links on
    /// the list served at `list_url`.
    pub fn at(&self, list_url: &str) -> LinkedPage<'_> {
        LinkedPage {
            content: &self.content,
            meta: LinkedMeta {
                meta: &self.meta,
                links: self.meta.links(list_url),
            },
        }
    }
}

/// A page with its links, as it serializes: see [`RoleAssignmentPage::at`].
#[derive(Debug, Serialize)]
pub struct LinkedPage<'a> {
    content: &'a [RoleAssignment],
    meta: LinkedMeta<'a>,
}

/// Serializes the tokens as `nextToken`/`previousToken` and the size as both
/// `page_size` and `pageSize`, as the Twilio SDKs read them.
#[derive(Debug)]
struct LinkedMeta<'a> {
    meta: &'a PageMeta,
    links: PageLinks,
}

impl Serialize for LinkedMeta<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (meta, links) = (self.meta, &self.links);
        let mut s = serializer.serialize_struct("PageMeta", 10)?;
        s.serialize_field("key", meta.key)?;
        s.serialize_field("page", &meta.page)?;
        s.serialize_field("page_size", &meta.page_size)?;
        s.serialize_field("pageSize", &meta.page_size)?;
        s.serialize_field("first_page_url", &links.first_page_url)?;
        s.serialize_field("url", &links.url)?;
        s.serialize_field("next_page_url", &links.next_page_url)?;
        s.serialize_field("previous_page_url", &links.previous_page_url)?;
        s.serialize_field("nextToken", &meta.next_token)?;
        s.serialize_field("previousToken", &meta.previous_token)?;
        s.end()
    }
}

/// Where a page starts or ends, in creation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cursor {
    /// From this position on.
    From(u64),
    /// Up to (not including) this position.
    Before(u64),
}

impl Cursor {
    /// The opaque token of this cursor.
    pub fn token(self) -> String {
        let text = match self {
            Self::From(seq) => format!("f{seq}"),
            Self::Before(seq) => format!("b{seq}"),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    /// Reads a token made by [`Cursor::token`].
    pub fn parse(token: &str) -> Result<Self, RoleError> {
        let invalid = || RoleError::InvalidPageToken(shown(token));
        if token.len() > MAX_TOKEN_LEN {
            return Err(invalid());
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        let number = |digits: &str| {
            digits
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| digits.parse::<u64>().ok())
                .flatten()
                .ok_or_else(invalid)
        };
        match text.split_at_checked(1) {
            Some(("f", digits)) => number(digits).map(Self::From),
            Some(("b", digits)) => number(digits).map(Self::Before),
            _ => Err(invalid()),
        }
    }
}

/// The page size a request asks for: absent is the default; 0 or over the maximum
/// is an error.
pub(crate) fn page_size(requested: Option<u32>) -> Result<u32, RoleError> {
    match requested {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(n) => Err(RoleError::InvalidPageSize(n)),
    }
}

/// One page of `positions` (ascending): the positions on it and the cursors of the
/// next and previous pages.
pub(crate) struct Slice<'a> {
    pub items: &'a [u64],
    /// How many positions come before the page's first.
    pub start: usize,
    pub next: Option<Cursor>,
    pub previous: Option<Cursor>,
}

/// Cuts the page `cursor` (or the first page) of `size` items out of `positions`.
pub(crate) fn slice(positions: &[u64], size: u32, cursor: Option<Cursor>) -> Slice<'_> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let len = positions.len();
    let (start, end) = match cursor {
        None => (0, size.min(len)),
        Some(Cursor::From(seq)) => {
            let start = positions.partition_point(|p| *p < seq);
            (start, start.saturating_add(size).min(len))
        }
        Some(Cursor::Before(seq)) => {
            let end = positions.partition_point(|p| *p < seq);
            (end.saturating_sub(size), end)
        }
    };
    Slice {
        items: positions.get(start..end).unwrap_or_default(),
        start,
        next: positions.get(end).map(|p| Cursor::From(*p)),
        previous: start
            .checked_sub(1)
            .and_then(|i| positions.get(i))
            .map(|p| Cursor::Before(p.saturating_add(1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_forgeries() {
        for cursor in [Cursor::From(0), Cursor::Before(u64::MAX), Cursor::From(42)] {
            assert_eq!(Cursor::parse(&cursor.token()), Ok(cursor));
        }
        let forged = |text: &str| URL_SAFE_NO_PAD.encode(text);
        for bad in [
            String::new(),
            "!!".into(),
            forged("x1"),
            forged("f"),
            forged("f-1"),
            forged("f+1"),
            forged("f99999999999999999999999"),
            "A".repeat(100),
        ] {
            assert!(
                matches!(Cursor::parse(&bad), Err(RoleError::InvalidPageToken(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn slices_walk_both_ways() {
        let positions = [1, 3, 4, 8, 9];
        let first = slice(&positions, 2, None);
        assert_eq!((first.items, first.previous), (&[1, 3][..], None));
        assert_eq!(first.next, Some(Cursor::From(4)));
        let second = slice(&positions, 2, first.next);
        assert_eq!(second.items, &[4, 8]);
        assert_eq!(second.previous, Some(Cursor::Before(4)));
        let last = slice(&positions, 2, second.next);
        assert_eq!((last.items, last.next), (&[9][..], None));
        let back = slice(&positions, 2, last.previous);
        assert_eq!(back.items, &[4, 8]);
        let start = slice(&positions, 2, back.previous);
        assert_eq!((start.items, start.previous), (&[1, 3][..], None));
        let past = slice(&positions, 2, Some(Cursor::From(100)));
        assert_eq!((past.items, past.next), (&[][..], None));
        assert_eq!(past.previous, Some(Cursor::Before(10)));
    }

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None), Ok(100));
        assert_eq!(page_size(Some(1)), Ok(1));
        assert_eq!(page_size(Some(100)), Ok(100));
        assert_eq!(page_size(Some(0)), Err(RoleError::InvalidPageSize(0)));
        assert_eq!(page_size(Some(101)), Err(RoleError::InvalidPageSize(101)));
    }
}
