//! Token-paged lists in Twilio's shape, shared by every paged list of the engine
//! (role assignments, an organization's accounts).
//!
//! A page token is an opaque cursor into the list's order: "from this item on"
//! (`next_token`) or "up to before this one" (`previous_token`). It says only where
//! a page starts, so it works with any filter.
//!
//! The engine returns a [`Page`]: the items and a [`PageMeta`] with cursors but no
//! URLs. Where the list is served is the caller's to say: [`Page::at`] gives the page
//! in Twilio's shape, `{"content": [...], "meta": {...}}`, with its links on that
//! URL. `meta` carries what each Twilio SDK reads: `key` (`"content"`), `page`,
//! `page_size`, `first_page_url`, `url`, `next_page_url`, `previous_page_url` (the
//! classic `Page`), and `pageSize`, `nextToken`, `previousToken` (the token-paging
//! `TokenPage`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::error_code::{shown, ErrorCode};

/// The largest page size of every paged list.
pub const MAX_PAGE_SIZE: u32 = 100;
/// Longest page token accepted, in bytes.
const MAX_TOKEN_LEN: usize = 64;

/// Why a page request is refused (HTTP 400, Twilio 20001).
///
/// | variant            | code                 |
/// |--------------------|----------------------|
/// | `InvalidPageSize`  | `invalid_page_size`  |
/// | `InvalidPageToken` | `invalid_page_token` |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// The page size is outside 1 to 100.
    #[error("page size {0} is out of range: 1..={MAX_PAGE_SIZE}")]
    InvalidPageSize(u32),
    /// The page token was not issued by this engine.
    #[error("invalid page token {0:?}")]
    InvalidPageToken(String),
}

impl ErrorCode for PageError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidPageSize(_) => "invalid_page_size",
            Self::InvalidPageToken(_) => "invalid_page_token",
        }
    }

    fn status(&self) -> u16 {
        400
    }

    fn twilio_code(&self) -> u32 {
        20001
    }
}

/// A page of a list: the items and the cursors around them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in the list's order.
    pub content: Vec<T>,
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

impl<T> Page<T> {
    /// The same page with each item turned into another (e.g. its JSON form).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            content: self.content.into_iter().map(f).collect(),
            meta: self.meta,
        }
    }

    /// The page in Twilio's shape (`{"content": [...], "meta": {...}}`), its links on
    /// the list served at `list_url`.
    pub fn at(&self, list_url: &str) -> LinkedPage<'_, T> {
        LinkedPage {
            content: &self.content,
            meta: LinkedMeta {
                meta: &self.meta,
                links: self.meta.links(list_url),
            },
        }
    }
}

/// A page with its links, as it serializes: see [`Page::at`].
#[derive(Debug, Serialize)]
pub struct LinkedPage<'a, T> {
    content: &'a [T],
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

/// Where a page starts or ends, as a position in the list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    /// From this position on.
    From(u64),
    /// Up to (not including) this position.
    Before(u64),
}

impl Cursor {
    /// The opaque token of this cursor.
    fn token(self) -> String {
        let text = match self {
            Self::From(seq) => format!("f{seq}"),
            Self::Before(seq) => format!("b{seq}"),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    /// Reads a token made by [`Cursor::token`].
    fn parse(token: &str) -> Result<Self, PageError> {
        let invalid = || PageError::InvalidPageToken(shown(token));
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

/// A checked request for one page: its size and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    size: u32,
    cursor: Option<Cursor>,
}

impl PageRequest {
    /// The page of `size` items (absent: `default`; 0 or over [`MAX_PAGE_SIZE`] is
    /// an error) that `token` (absent: the first page) names.
    pub fn parse(size: Option<u32>, default: u32, token: Option<&str>) -> Result<Self, PageError> {
        let size = match size {
            None => default,
            Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            Some(n) => return Err(PageError::InvalidPageSize(n)),
        };
        let cursor = token.map(Cursor::parse).transpose()?;
        Ok(Self { size, cursor })
    }

    /// The items per page.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Cuts this page out of a list whose items are at `positions` (ascending),
    /// fetching each item on it with `item`. `query` is the list's filter and page
    /// size as query parameters (see [`PageMeta::query`]).
    pub fn cut<T>(
        &self,
        positions: &[u64],
        query: String,
        item: impl FnMut(u64) -> Option<T>,
    ) -> Page<T> {
        let cut = slice(positions, self.size, self.cursor);
        Page {
            content: cut.items.iter().copied().filter_map(item).collect(),
            meta: PageMeta {
                key: "content",
                page_size: self.size,
                page: u32::try_from(cut.start / self.size.max(1) as usize).unwrap_or(u32::MAX),
                query,
                page_token: self.cursor.map(Cursor::token),
                next_token: cut.next.map(Cursor::token),
                previous_token: cut.previous.map(Cursor::token),
            },
        }
    }
}

/// One page of `positions` (ascending): the positions on it and the cursors of the
/// next and previous pages.
struct Slice<'a> {
    items: &'a [u64],
    /// How many positions come before the page's first.
    start: usize,
    next: Option<Cursor>,
    previous: Option<Cursor>,
}

/// Cuts the page `cursor` (or the first page) of `size` items out of `positions`.
fn slice(positions: &[u64], size: u32, cursor: Option<Cursor>) -> Slice<'_> {
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
            assert_eq!(
                Cursor::parse(&bad),
                Err(PageError::InvalidPageToken(bad.chars().take(64).collect())),
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
    fn page_sizes_default_and_stay_within_bounds() {
        let size = |n| PageRequest::parse(n, 50, None).map(|r| r.size());
        assert_eq!(size(None), Ok(50));
        assert_eq!(size(Some(1)), Ok(1));
        assert_eq!(size(Some(100)), Ok(100));
        assert_eq!(size(Some(0)), Err(PageError::InvalidPageSize(0)));
        assert_eq!(size(Some(101)), Err(PageError::InvalidPageSize(101)));
        let e = PageError::InvalidPageSize(0);
        assert_eq!(
            (e.code(), e.status(), e.twilio_code()),
            ("invalid_page_size", 400, 20001)
        );
        assert_eq!(e.to_string(), "page size 0 is out of range: 1..=100");
    }

    #[test]
    fn pages_number_from_zero_and_link_on_the_callers_url() {
        let positions: Vec<u64> = (0..5).collect();
        let first = PageRequest::parse(Some(2), 50, None).unwrap();
        let page = first.cut(&positions, "PageSize=2".into(), |p| Some(p * 10));
        assert_eq!((page.content.as_slice(), page.meta.page), (&[0, 10][..], 0));
        let next = page.meta.next_token.clone().unwrap();
        let second = PageRequest::parse(Some(2), 50, Some(&next)).unwrap();
        let page = second.cut(&positions, "PageSize=2".into(), |p| Some(p * 10));
        assert_eq!(
            (page.content.as_slice(), page.meta.page),
            (&[20, 30][..], 1)
        );
        let links = page.meta.links("https://x.test/L");
        assert_eq!(links.first_page_url, "https://x.test/L?PageSize=2");
        assert_eq!(
            links.url,
            format!("https://x.test/L?PageSize=2&PageToken={next}")
        );
        let json = serde_json::to_value(page.at("https://x.test/L")).unwrap();
        assert_eq!(json["content"], serde_json::json!([20, 30]));
        assert_eq!(json["meta"]["page"], 1);
        assert_eq!(json["meta"]["pageSize"], 2);
        assert_eq!(json["meta"]["key"], "content");
    }
}
