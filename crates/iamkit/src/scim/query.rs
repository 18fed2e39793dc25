//! Listing users (RFC 7644 §3.4.2–3.4.3): a query as received, from a query
//! string or a SearchRequest body; parsed once; run against an
//! organization's users.
//!
//! Lists run in creation order unless sorted; `startIndex` below 1 counts as 1;
//! `count` defaults to and is capped at [`MAX_PAGE_COUNT`] (0 gives only
//! `totalResults`). An `eq` on `id`, `userName` or `externalId`, alone or first in
//! a chain of `and`s, is answered from an index.

use serde::Serialize;
use serde_json::Value;

use super::discovery::{LIST_RESPONSE_URN, SEARCH_REQUEST_URN};
use super::filter::{IndexAttribute, IndexKey};
use super::json::get_ci;
use super::users::stored::UserRef;
use super::users::table::UserTable;
use super::users::view::UserView;
use super::{Filter, Projection, ScimError, Sort};
use crate::ids::{Sid, UserSid};

/// The most users one list response holds; a larger `count` is cut to it.
pub const MAX_PAGE_COUNT: usize = 1000;

/// The query parameters of a list of users (RFC 7644 §3.4.2), as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// `filter`.
    pub filter: Option<String>,
    /// `sortBy`.
    pub sort_by: Option<String>,
    /// `sortOrder`: `ascending` (default) or `descending`; ignored without `sortBy`.
    pub sort_order: Option<String>,
    /// `startIndex`: 1-based; values below 1 count as 1.
    pub start_index: Option<usize>,
    /// `count`: at most [`MAX_PAGE_COUNT`] (the default); 0 returns no users.
    pub count: Option<usize>,
    /// `attributes`.
    pub attributes: Option<String>,
    /// `excludedAttributes`.
    pub excluded_attributes: Option<String>,
}

impl UserQuery {
    /// The query of a SearchRequest body (`POST /.search`, RFC 7644 §3.4.3):
    /// `{"schemas": [SearchRequest URN], "attributes": [..], "excludedAttributes":
    /// [..], "filter", "sortBy", "sortOrder", "startIndex", "count"}`, member names
    /// ignoring case, every member but `schemas` optional. A body that is not an
    /// object, lacks the URN or has an unknown member is `invalidSyntax`; a member
    /// of the wrong type is `invalidValue`. Negative `startIndex` and `count` count
    /// as in a query string (1 and 0).
    pub fn from_search_request(body: &Value) -> Result<Self, ScimError> {
        const MEMBERS: [&str; 8] = [
            "schemas",
            "attributes",
            "excludedAttributes",
            "filter",
            "sortBy",
            "sortOrder",
            "startIndex",
            "count",
        ];
        let obj = body.as_object().ok_or_else(|| {
            ScimError::InvalidSyntax("a SearchRequest must be a JSON object".into())
        })?;
        if let Some(key) = obj
            .keys()
            .find(|k| !MEMBERS.iter().any(|m| m.eq_ignore_ascii_case(k)))
        {
            return Err(ScimError::InvalidSyntax(format!(
                "unknown SearchRequest member `{key}`"
            )));
        }
        let names_urn = get_ci(obj, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter().any(|u| {
                    u.as_str()
                        .is_some_and(|u| u.eq_ignore_ascii_case(SEARCH_REQUEST_URN))
                })
            });
        if !names_urn {
            return Err(ScimError::InvalidSyntax(format!(
                "`schemas` must be [{SEARCH_REQUEST_URN:?}]"
            )));
        }
        let wrong =
            |name: &str, what: &str| ScimError::InvalidValue(format!("`{name}` must be {what}"));
        let text = |name: &str| match get_ci(obj, name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(wrong(name, "a string")),
        };
        let list = |name: &str| match get_ci(obj, name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().ok_or_else(|| wrong(name, "an array of strings")))
                .collect::<Result<Vec<_>, _>>()
                .map(|names| Some(names.join(","))),
            Some(_) => Err(wrong(name, "an array of strings")),
        };
        let number = |name: &str, negative: usize| match get_ci(obj, name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.is_u64() => {
                Ok(n.as_u64().map(|n| usize::try_from(n).unwrap_or(usize::MAX)))
            }
            Some(Value::Number(n)) if n.is_i64() => Ok(Some(negative)),
            Some(_) => Err(wrong(name, "a whole number")),
        };
        Ok(Self {
            filter: text("filter")?,
            sort_by: text("sortBy")?,
            sort_order: text("sortOrder")?,
            start_index: number("startIndex", 1)?,
            count: number("count", 0)?,
            attributes: list("attributes")?,
            excluded_attributes: list("excludedAttributes")?,
        })
    }
}

/// A SCIM ListResponse of users. Serializes with `Resources` first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserList {
    /// The users of this page, projected.
    #[serde(rename = "Resources")]
    pub resources: Vec<Value>,
    /// How many users this page holds.
    #[serde(rename = "itemsPerPage")]
    pub items_per_page: usize,
    /// The ListResponse schema URN.
    pub schemas: Vec<&'static str>,
    /// The 1-based index of this page's first user.
    #[serde(rename = "startIndex")]
    pub start_index: usize,
    /// How many users match in all.
    #[serde(rename = "totalResults")]
    pub total_results: usize,
}

/// A list query, parsed: what to match, in which order, which page, which
/// attributes.
#[derive(Debug)]
pub(crate) struct Search {
    filter: Option<Filter>,
    sort: Option<Sort>,
    projection: Projection,
    start_index: usize,
    count: usize,
}

impl UserQuery {
    /// Parses every parameter; the first malformed one is its SCIM error.
    pub(crate) fn parse(&self) -> Result<Search, ScimError> {
        Ok(Search {
            filter: self.filter.as_deref().map(Filter::parse).transpose()?,
            sort: self
                .sort_by
                .as_deref()
                .map(|by| Sort::parse(by, self.sort_order.as_deref()))
                .transpose()?,
            projection: Projection::parse(
                self.attributes.as_deref(),
                self.excluded_attributes.as_deref(),
            )?,
            start_index: self.start_index.unwrap_or(1).max(1),
            count: self.count.unwrap_or(MAX_PAGE_COUNT).min(MAX_PAGE_COUNT),
        })
    }
}

impl Search {
    /// How many users of `table` match, and this page of them as projected
    /// resources whose `meta.location` is under `users_url`.
    pub(crate) fn run(&self, table: &UserTable, users_url: &str) -> (usize, Vec<Value>) {
        let view = |user| UserView { user, users_url };
        let matches = |v: &UserView<'_>| self.filter.as_ref().is_none_or(|f| f.matches_resource(v));
        let skip = self.start_index - 1;
        let (total, kept) = match self.filter.as_ref().and_then(Filter::index_key) {
            Some(key) => {
                let found = lookup(table, key).map(view).filter(matches);
                page(found.into_iter(), self.sort.as_ref(), skip, self.count)
            }
            None => page(
                table.iter().map(view).filter(matches),
                self.sort.as_ref(),
                skip,
                self.count,
            ),
        };
        let resources = kept
            .iter()
            .map(|v| self.projection.apply_owned(v.user.to_resource(users_url)))
            .collect();
        (total, resources)
    }

    /// The ListResponse of a page of `total_results` matches.
    pub(crate) fn list(&self, total_results: usize, resources: Vec<Value>) -> UserList {
        UserList {
            items_per_page: resources.len(),
            resources,
            schemas: vec![LIST_RESPONSE_URN],
            start_index: self.start_index,
            total_results,
        }
    }
}

/// The user found through the index an `eq` filter names, if any.
fn lookup<'t>(table: &'t UserTable, key: IndexKey<'_>) -> Option<UserRef<'t>> {
    match key.attribute {
        IndexAttribute::Id => UserSid::parse(key.value).ok().and_then(|id| table.get(id)),
        IndexAttribute::UserName => table.by_user_name(key.value),
        IndexAttribute::ExternalId => table.by_external_id(key.value),
    }
}

/// Counts `matching` users and keeps the page `skip..skip + count` of them, in
/// `sort` order if given.
fn page<'a>(
    matching: impl Iterator<Item = UserView<'a>>,
    sort: Option<&Sort>,
    skip: usize,
    count: usize,
) -> (usize, Vec<UserView<'a>>) {
    match sort {
        Some(sort) if count > 0 => {
            let mut all: Vec<UserView<'a>> = matching.collect();
            let total = all.len();
            sort.sort_resources(&mut all);
            (total, all.into_iter().skip(skip).take(count).collect())
        }
        _ => {
            let mut total = 0;
            let mut kept = Vec::new();
            for user in matching {
                if total >= skip && kept.len() < count {
                    kept.push(user);
                }
                total += 1;
            }
            (total, kept)
        }
    }
}
