//! Property tests: printing a filter and parsing it back gives the same tree, and
//! no input makes the parser panic.

use iamkit::scim::filter::{AttrPath, CompareOp, Comparison, Expr, Filter, Literal};
use iamkit::scim::schema::{AttrDef, AttrType, Returned, Schema, USER_SCHEMA};
use iamkit::scim::ScimError;
use proptest::prelude::*;

/// A schema with every attribute type, for numbers and binary values.
static TYPES: Schema = Schema {
    id: "urn:example:params:scim:schemas:Types",
    name: "Types",
    description: "Every attribute type",
    attributes: &[
        AttrDef::new("count", AttrType::Integer, "an integer"),
        AttrDef::new("ratio", AttrType::Decimal, "a decimal"),
        AttrDef::new("blob", AttrType::Binary, "binary data").case_exact(),
        AttrDef::new("code", AttrType::String, "a case-exact string").case_exact(),
        AttrDef::complex(
            "items",
            "numbered items",
            &[
                AttrDef::new("value", AttrType::Integer, "a number"),
                AttrDef::new("at", AttrType::DateTime, "when"),
            ],
        )
        .multi(),
    ],
    common: &[],
    extensions: &[],
};

/// Every path whose leaf can be compared, and every attribute that can take `pr`.
fn paths(
    schema: &'static Schema,
    within: Option<&'static AttrDef>,
) -> (Vec<AttrPath>, Vec<AttrPath>) {
    let mut compare = Vec::new();
    let mut present = Vec::new();
    let tops: Vec<&'static AttrDef> = match within {
        Some(parent) => parent.sub_attributes.iter().collect(),
        // A filter can name every attribute but those never returned (`password`).
        None => schema
            .every_attribute()
            .filter(|a| a.returned != Returned::Never)
            .collect(),
    };
    for attr in tops {
        let whole = AttrPath::new(attr, None).expect("own attribute");
        if whole.leaf().is_some() {
            compare.push(whole.clone());
        }
        present.push(whole);
        if within.is_none() {
            for sub in attr.sub_attributes {
                let path = AttrPath::new(attr, Some(sub)).expect("own sub-attribute");
                compare.push(path.clone());
                present.push(path);
            }
        }
    }
    (compare, present)
}

fn date() -> impl Strategy<Value = String> {
    (
        1970u32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        prop::option::of(0u32..1_000_000_000),
        -1439i32..1440,
    )
        .prop_map(|(y, mo, d, h, mi, s, nanos, off)| {
            let frac = nanos.map(|n| format!(".{n:09}")).unwrap_or_default();
            let zone = if off == 0 {
                "Z".to_owned()
            } else {
                format!(
                    "{}{:02}:{:02}",
                    if off < 0 { '-' } else { '+' },
                    off.abs() / 60,
                    off.abs() % 60
                )
            };
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{zone}")
        })
}

/// A valid operator and literal for an attribute of type `ty`.
fn operand(ty: AttrType) -> BoxedStrategy<(CompareOp, Literal)> {
    let all = prop::sample::select(CompareOp::ALL.to_vec());
    let equality = prop::sample::select(vec![CompareOp::Eq, CompareOp::Ne]);
    let ordering = prop::sample::select(vec![
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ]);
    let null = equality.clone().prop_map(|op| (op, Literal::Null));
    let value = match ty {
        AttrType::String | AttrType::Reference => (all, any::<String>())
            .prop_map(|(op, s)| (op, Literal::String(s)))
            .boxed(),
        AttrType::Binary => (equality, "[A-Za-z0-9+/=]{0,12}")
            .prop_map(|(op, s)| (op, Literal::String(s)))
            .boxed(),
        AttrType::Boolean => (equality, any::<bool>())
            .prop_map(|(op, b)| (op, Literal::Boolean(b)))
            .boxed(),
        AttrType::DateTime => (ordering, date())
            .prop_map(|(op, s)| (op, Literal::String(s)))
            .boxed(),
        AttrType::Integer | AttrType::Decimal => {
            let number = prop_oneof![
                any::<i64>().prop_map(Literal::Integer),
                any::<f64>()
                    .prop_filter("finite", |d| d.is_finite())
                    .prop_map(Literal::Decimal),
            ];
            (ordering, number).boxed()
        }
        AttrType::Complex => null.clone().boxed(),
    };
    prop_oneof![4 => value, 1 => null].boxed()
}

/// Comparisons and presence tests over `schema` (or inside a value filter on `within`).
fn leaf(schema: &'static Schema, within: Option<&'static AttrDef>) -> BoxedStrategy<Expr> {
    let (compare, present) = paths(schema, within);
    let compare = prop::sample::select(compare)
        .prop_flat_map(|path| {
            let ty = path.leaf().map_or(AttrType::Complex, |l| l.ty);
            (Just(path), operand(ty))
        })
        .prop_map(|(path, (op, value))| {
            Expr::Compare(Comparison::new(path, op, value).expect("typed operand"))
        });
    let present = prop::sample::select(present).prop_map(Expr::Present);
    prop_oneof![4 => compare, 1 => present].boxed()
}

fn tree(base: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    base.prop_recursive(5, 48, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::and(l, r)),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::or(l, r)),
            inner.prop_map(Expr::negate),
        ]
    })
    .boxed()
}

fn expr(schema: &'static Schema) -> BoxedStrategy<Expr> {
    let complex: Vec<&'static AttrDef> = schema
        .every_attribute()
        .filter(|a| a.is_complex())
        .collect();
    let value_path = prop::sample::select(complex)
        .prop_flat_map(move |attr| (Just(attr), tree(leaf(schema, Some(attr)))))
        .prop_map(|(attr, inner)| Expr::value_path(attr, inner).expect("relative filter"));
    tree(prop_oneof![4 => leaf(schema, None), 1 => value_path].boxed())
}

fn round_trip(schema: &'static Schema, expr: Expr) -> Result<(), TestCaseError> {
    let filter = Filter::from_expr(expr);
    let text = filter.to_string();
    let parsed = Filter::parse_with(schema, &text);
    prop_assert_eq!(parsed.as_ref(), Ok(&filter), "printed as {}", text);
    prop_assert_eq!(parsed.map(|f| f.to_string()), Ok(text));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn user_filters_print_and_parse_back(expr in expr(&USER_SCHEMA)) {
        round_trip(&USER_SCHEMA, expr)?;
    }

    #[test]
    fn typed_filters_print_and_parse_back(expr in expr(&TYPES)) {
        round_trip(&TYPES, expr)?;
    }

    #[test]
    fn any_input_parses_or_fails_with_a_position(input in ".{0,80}") {
        match Filter::parse(&input) {
            Ok(filter) => round_trip(&USER_SCHEMA, filter.expr().clone())?,
            Err(ScimError::InvalidFilter { position, .. }) => prop_assert!(position <= input.len()),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn filter_shaped_input_never_panics(input in r#"(\(|\)|\[|\]|not |and |or |userName |emails|\.value|type |eq |pr |co |"[a-z\\"]*"|true|null|-?[0-9.e]+| )*"#) {
        if let Ok(filter) = Filter::parse(&input) {
            round_trip(&USER_SCHEMA, filter.expr().clone())?;
        }
    }
}

#[test]
fn numbers_parse_print_and_compare() {
    let canonical = |s: &str| Filter::parse_with(&TYPES, s).map(|f| f.to_string());
    assert_eq!(canonical("count GT 5").as_deref(), Ok("count gt 5"));
    assert_eq!(
        canonical("ratio le 1.5e3").as_deref(),
        Ok("ratio le 1500.0")
    );
    assert_eq!(canonical("ratio eq -0").as_deref(), Ok("ratio eq 0"));
    assert_eq!(canonical("ratio lt 1E-7").as_deref(), Ok("ratio lt 1e-7"));
    assert_eq!(
        canonical("items[value ge 2 and at lt \"2026-01-01T00:00:00Z\"]").as_deref(),
        Ok("items[value ge 2 and at lt \"2026-01-01T00:00:00Z\"]")
    );
    for bad in [
        "count co 5",
        "count eq \"5\"",
        "ratio sw 1",
        "blob gt \"AA==\"",
        "count eq true",
        "items.value eq \"x\"",
    ] {
        assert!(
            matches!(
                Filter::parse_with(&TYPES, bad),
                Err(ScimError::InvalidFilter { .. })
            ),
            "{bad}"
        );
    }
    let resource = serde_json::json!({"count": 7, "ratio": 0.25, "code": "AbC", "items": [{"value": 1}, {"value": 3}]});
    let matches = |s: &str| {
        Filter::parse_with(&TYPES, s)
            .map(|f| f.matches(&resource))
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    };
    assert!(matches("count gt 6.5"));
    assert!(matches("count eq 7.0"));
    assert!(!matches("count lt 7"));
    assert!(matches("ratio lt 1"));
    assert!(matches("ratio eq 2.5e-1"));
    assert!(matches("items.value ge 3"));
    assert!(
        matches("items eq 1"),
        "a multi-valued complex attribute compares its value"
    );
    assert!(matches("code eq \"AbC\"") && !matches("code eq \"abc\""));
    assert!(!matches("count gt 9223372036854775807"));
}
