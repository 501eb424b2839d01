//! docs/aws-api.md lists every action the server answers: its tables are
//! generated from the server's own list, and this test fails when they fall
//! behind (`AMISIM_UPDATE_DOCS=1` rewrites them).

mod common;

const OPEN: &str = "<!-- actions -->\n";
const CLOSE: &str = "<!-- /actions -->";

#[test]
fn the_table_of_actions_in_the_docs_is_the_servers_own() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/aws-api.md");
    let doc = std::fs::read_to_string(&path).expect("docs/aws-api.md");
    let start = doc.find(OPEN).expect("the actions marker") + OPEN.len();
    let end = doc.find(CLOSE).expect("the end marker");
    let table = amisim_server::actions_table();
    if std::env::var_os("AMISIM_UPDATE_DOCS").is_some() {
        let updated = format!("{}{table}{}", &doc[..start], &doc[end..]);
        std::fs::write(&path, updated).expect("docs/aws-api.md written");
        return;
    }
    assert!(
        doc[start..end] == table,
        "docs/aws-api.md's tables of actions are not the server's: run AMISIM_UPDATE_DOCS=1 cargo test -p amisim-server --test docs"
    );
}

#[test]
fn every_action_listed_is_answered_as_that_action() {
    // No listed action is refused as unknown: each reaches its adapter,
    // which asks for its parameters instead, or is refused by name.
    let dir = tempfile::tempdir().unwrap();
    let server = amisim_server::Server::open(dir.path().join("c.db").to_str().unwrap()).unwrap();
    for service in amisim_server::SERVICES {
        for row in (service.rows)() {
            let action = row.name;
            let answer = server.answer(&probe(service.name, action));
            let body = String::from_utf8_lossy(&answer.body);
            if !row.served {
                // Refused by name, saying why, as the docs' table does.
                assert!(
                    body.contains("<Code>InvalidAction</Code>")
                        && body
                            .contains(&format!("amisim does not model {action}: {}", row.params)),
                    "{} {action}: {body}",
                    service.name
                );
                continue;
            }
            // Its error code, if it is refused (a listing may name the
            // codes of refusals it logged).
            let code = common::error_code(&body).unwrap_or_default();
            assert!(
                !code.contains("InvalidAction") && !code.contains("UnknownOperation"),
                "{} {action}: {body}",
                service.name
            );
            assert!(answer.status < 500, "{} {action}: {body}", service.name);
        }
    }
}

#[test]
fn each_action_says_whether_it_changes_the_cloud_as_its_name_does() {
    // AWS's names say it (Describe, Get, List read), and so do the
    // simulator's calls; a row that says otherwise is a slip.
    for service in amisim_server::SERVICES {
        for row in (service.rows)() {
            let reads = amisim_simulator::model::is_read_action(row.name);
            assert_eq!(
                row.effect == amisim_server::Effect::Reads,
                reads,
                "{} {}",
                service.name,
                row.name
            );
        }
    }
}

#[test]
fn each_action_is_named_once_in_the_servers_source() {
    // Its row is the one place: a name written again in a handler or a
    // `match` could drift from the row.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut texts = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Unit tests may name actions as examples.
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                texts.push((path, code));
            }
        }
    }
    // amisim's own calls are the simulator's, named in its list of calls.
    for service in amisim_server::SERVICES
        .iter()
        .filter(|s| !s.protocol.contains("AmisimService"))
    {
        for row in (service.rows)() {
            let quoted = format!("\"{}\"", row.name);
            let places: Vec<_> = texts
                .iter()
                .flat_map(|(path, code)| {
                    std::iter::repeat_n(path.display().to_string(), code.matches(&quoted).count())
                })
                .collect();
            assert_eq!(places.len(), 1, "{} {quoted} in {places:?}", service.name);
        }
    }
}

/// A request for `action` of `service` with no parameters.
fn probe(service: &str, action: &str) -> amisim_server::Request {
    let (scope, method, path, headers, body): (&str, &str, String, Vec<(String, String)>, String) =
        match service {
            "EC2" => (
                "ec2",
                "POST",
                "/".into(),
                vec![],
                format!("Action={action}&Version=2016-11-15"),
            ),
            "STS" => (
                "sts",
                "POST",
                "/".into(),
                vec![],
                format!("Action={action}&Version=2011-06-15"),
            ),
            "amisim's own calls (`amisim`)" => (
                "amisim",
                "POST",
                "/".into(),
                vec![
                    ("x-amz-target".into(), format!("AmisimService.{action}")),
                    ("content-type".into(), "application/x-amz-json-1.1".into()),
                ],
                "{}".into(),
            ),
            "KMS" => (
                "kms",
                "POST",
                "/".into(),
                vec![
                    ("x-amz-target".into(), format!("TrentService.{action}")),
                    ("content-type".into(), "application/x-amz-json-1.1".into()),
                ],
                "{}".into(),
            ),
            _ => {
                let (method, path) = match action {
                    "CreateRule" => ("POST", "/rules"),
                    "ListRules" => ("POST", "/list-rules"),
                    "GetRule" => ("GET", "/rules/abc123"),
                    "UpdateRule" => ("PATCH", "/rules/abc123"),
                    _ => ("DELETE", "/rules/abc123"),
                };
                (
                    "rbin",
                    method,
                    path.into(),
                    vec![("content-type".into(), "application/json".into())],
                    "{}".into(),
                )
            }
        };
    let mut headers = headers;
    headers.extend(common::signed_headers(
        "111111111111",
        &format!("us-east-1/{scope}"),
    ));
    amisim_server::Request {
        method: method.into(),
        path,
        query: String::new(),
        headers,
        body: body.into_bytes(),
    }
}
