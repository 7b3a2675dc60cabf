//! Parser and evaluator benchmarks (see BENCHMARKS.md for figures and targets).
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-parser cargo bench -p scimock-filter -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scimock_filter::{CompiledFilter, CoreSchema, parse_filter};
use scimock_profile::vocab::CORE_USER;
use serde_json::{Value, json};

const SIMPLE: &str = r#"userName eq "bjensen""#;
const COMPLEX: &str = r#"(emails[type eq "work" and value co "@example.com"] or userName sw "j") and not (active eq false) and meta.lastModified gt "2011-05-13T04:42:34Z""#;

/// Depth 60, mixing groups, `not` and a value path.
fn nested() -> String {
    let mut input =
        String::from(r#"emails[type eq "work" and (value co "x" or not (primary eq true))]"#);
    for level in 0..57 {
        input = if level % 2 == 0 {
            format!("(a{level} pr and {input}) or b{level} eq {level}")
        } else {
            format!("not ({input}) and c{level} pr")
        };
    }
    input
}

/// `n` deterministic users shaped like real SCIM users, with one or two emails.
fn users(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut emails = vec![
                json!({"value": format!("user{i}@example.com"), "type": "work", "primary": true}),
            ];
            if i % 2 == 1 {
                emails.push(json!({"value": format!("home{i}@example.org"), "type": "home"}));
            }
            json!({
                "schemas": [CORE_USER],
                "id": format!("{i:08x}-7f76-453a-919d-413861904646"),
                "externalId": format!("ext-{i}"),
                "userName": format!("user{i}@example.com"),
                "name": {
                    "formatted": format!("Given{i} Family{}", i % 997),
                    "familyName": format!("Family{}", i % 997),
                    "givenName": format!("Given{i}"),
                },
                "displayName": format!("Given{i} Family{}", i % 997),
                "active": i % 3 != 0,
                "emails": emails,
                "meta": {
                    "resourceType": "User",
                    "created": "2024-01-01T00:00:00Z",
                    "lastModified": format!("2024-02-{:02}T10:00:00Z", 1 + i % 28),
                    "version": format!("W/\"{i:x}\""),
                    "location": format!("https://example.com/v2/Users/{i:08x}"),
                },
            })
        })
        .collect()
}

fn parse(c: &mut Criterion) {
    let nested = nested();
    let mut group = c.benchmark_group("parse");
    group.bench_function("simple", |b| b.iter(|| parse_filter(black_box(SIMPLE))));
    group.bench_function("complex", |b| b.iter(|| parse_filter(black_box(COMPLEX))));
    group.bench_function("nested_depth_60", |b| {
        b.iter(|| parse_filter(black_box(&nested)))
    });
    group.finish();
}

fn scan(c: &mut Criterion) {
    let users = users(100_000);
    let mut group = c.benchmark_group("scan_100k_users");
    group.sample_size(20);
    let mut bench = |name: &str, filter: &str, expected: usize| {
        let ast = parse_filter(filter).expect("bench filter parses");
        let count = |ast| {
            let compiled = CompiledFilter::new(ast, &CoreSchema).expect("bench filter compiles");
            users.iter().filter(|u| compiled.matches(u)).count()
        };
        assert_eq!(count(&ast), expected, "{filter}");
        group.bench_function(name, |b| b.iter(|| count(black_box(&ast))));
    };
    bench("userName_eq", r#"userName eq "USER77777@example.com""#, 1);
    bench(
        "value_path",
        r#"emails[type eq "work" and value ew "5000@example.com"]"#,
        10,
    );
    group.finish();
}

criterion_group!(benches, parse, scan);
criterion_main!(benches);
