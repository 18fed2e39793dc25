//! SCIM 2.0 (RFC 7643/7644): the User schema, the filter language and PATCH.
