//! The daemon at ASKPRO_PUBLIC_URL, and what waits for it.

use super::*;

/// Reachable at the public URL, the same version and migrations, a signed event accepted and a
/// forged one refused; then what waits for `webhooks:retry` and in the outbox.
pub(crate) async fn daemon_checks(
    settings: &Settings,
    public: &Public,
    app: Option<&App>,
    req: &Request,
) -> Vec<Check> {
    let limit = req.timeout;
    let mut checks = Vec::new();
    match &public.url {
        None => {
            for name in ["reachable", "version", "signatures"] {
                checks.push(Check::skip(DAEMON, name, "skipped: no usable ASKPRO_PUBLIC_URL"));
            }
        }
        Some(url) => {
            let ready = readiness(url, app, limit).await;
            // Something answered: whether it verifies signatures is worth knowing even when
            // it is not ready.
            let answered = ready.iter().any(|c| c.name == "version" && c.status != Status::Skip);
            checks.extend(ready);
            checks.push(match answered {
                true => signatures(req, settings, url, app).await,
                false => Check::skip(DAEMON, "signatures", "skipped: the daemon is not reachable"),
            });
        }
    }
    if let Some(app) = app {
        checks.extend(backlog(app, limit).await);
    } else {
        for name in ["failed webhooks", "outbox"] {
            checks.push(Check::skip(DAEMON, name, "skipped: no database"));
        }
    }
    checks
}

/// `GET /readyz`: reachable and ready; the version and migration it reports against this CLI's.
pub(crate) async fn readiness(public: &str, app: Option<&App>, limit: Duration) -> Vec<Check> {
    let url = format!("{public}/readyz");
    let start = "start askpro-daemon (systemctl start askpro-daemon) and check that ASKPRO_PUBLIC_URL leads to it";
    let reply = match crate::clients::daemon::get(&url, limit).await {
        Ok(reply) => reply,
        Err(e) => {
            let cause = std::error::Error::source(&e).map(|s| format!(": {}", root_cause(s))).unwrap_or_default();
            return vec![
                Check::fail(DAEMON, "reachable", format!("cannot reach {url}{cause}"), start),
                Check::skip(DAEMON, "version", "skipped: the daemon is not reachable"),
            ];
        }
    };
    let body: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    let said = body["status"].as_str().unwrap_or("").to_string();
    let reachable = match (reply.status, said.as_str()) {
        (200, "ready") => Check::pass(DAEMON, "reachable", format!("{url} answers ready")),
        (503, "migrations pending") => Check::fail(
            DAEMON,
            "reachable",
            format!("{url}: the daemon's migrations are pending"),
            "askpro db:migrate, then restart askpro-daemon",
        ),
        (503, _) => Check::fail(
            DAEMON,
            "reachable",
            format!("{url}: {}", if said.is_empty() { "not ready" } else { &said }),
            "check the daemon's log and its database settings (ASKPRO_DATABASE_URL as the CLI has it)",
        ),
        (status, _) => Check::fail(
            DAEMON,
            "reachable",
            format!("{url} answered {status}, not askpro-daemon's readiness"),
            "point ASKPRO_PUBLIC_URL at askpro-daemon (behind its proxy), not at another service",
        ),
    };
    if body.is_null() {
        return vec![reachable, Check::skip(DAEMON, "version", "skipped: the answer was not askpro-daemon's")];
    }
    let ours = env!("CARGO_PKG_VERSION");
    let our_migration = match app {
        Some(app) => app.store.migration_status().await.ok().and_then(|l| l.iter().map(|m| m.version).max()),
        None => None,
    };
    let theirs = body["version"].as_str();
    let their_migration = body["migration"].as_i64();
    let same = "run askpro and askpro-daemon from one build: install both and restart askpro-daemon";
    let version = match theirs {
        None => {
            Check::fail(DAEMON, "version", "the daemon does not say its version: it is older than this askpro", same)
        }
        Some(v) if v != ours => {
            Check::fail(DAEMON, "version", format!("the daemon is askpro {v}, this CLI {ours}"), same)
        }
        Some(_) if our_migration.is_some() && their_migration != our_migration => Check::fail(
            DAEMON,
            "version",
            format!(
                "the daemon knows migrations up to {}, this CLI up to {}",
                their_migration.map_or("none".into(), |m| format!("{m:04}")),
                our_migration.map_or("none".into(), |m| format!("{m:04}"))
            ),
            same,
        ),
        Some(v) => Check::pass(
            DAEMON,
            "version",
            format!(
                "askpro {v}, migrations up to {} as this CLI",
                their_migration.map_or("?".into(), |m| format!("{m:04}"))
            ),
        ),
    };
    vec![reachable, version]
}

pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// One correctly signed function call and one forged, through `retell:trigger`'s code. The call
/// names no agent and no number, so a daemon that verifies it answers 404 (no caller) and
/// stores nothing; a forged signature must get 401.
pub(crate) async fn signatures(req: &Request, settings: &Settings, public: &str, app: Option<&App>) -> Check {
    let limit = req.timeout;
    use crate::ops::trigger::{self, Sample, SampleCall};
    let name = "signatures";
    let key = match signing_key(req.signing_key.as_deref(), settings, app).await {
        Some(key) => key,
        None => {
            return Check::fail(
                DAEMON,
                name,
                "no Retell key to sign a test event with",
                "set RETELL_API_KEY to the key askpro-daemon verifies with",
            )
            .missing()
        }
    };
    let sample = Sample::Function("get_current_context".into());
    let call = SampleCall {
        call_id: format!("askpro_preflight_{}", crate::store::now_ms()),
        started_at: crate::store::now_ms(),
        ..Default::default()
    };
    let forged_key = format!("{key}-forged");
    let send = |key: String| {
        let (sample, call) = (sample.clone(), call.clone());
        async move { tokio::time::timeout(limit, trigger::trigger(&sample, &call, public, &key)).await }
    };
    let (signed, forged) = tokio::join!(send(key), send(forged_key));
    let out_of_time = format!("no answer within {} s", seconds(limit));
    let signed = match signed {
        Err(_) => {
            return Check::fail(DAEMON, name, format!("the signed test event: {out_of_time}"), "check the daemon's log")
        }
        Ok(Err(e)) => return Check::error(DAEMON, name, &e, "check that askpro-daemon runs at ASKPRO_PUBLIC_URL"),
        Ok(Ok(d)) => d,
    };
    let forged = match forged {
        Err(_) => {
            return Check::fail(DAEMON, name, format!("the forged test event: {out_of_time}"), "check the daemon's log")
        }
        Ok(Err(e)) => return Check::error(DAEMON, name, &e, "check that askpro-daemon runs at ASKPRO_PUBLIC_URL"),
        Ok(Ok(d)) => d,
    };
    let signed_code = signed.response.pointer("/error/code").and_then(Value::as_str).unwrap_or("");
    if signed.status == 401 {
        return Check::fail(
            DAEMON,
            name,
            format!("the daemon refused a correctly signed event (401 at {})", signed.url),
            "give askpro-daemon and askpro the same RETELL_API_KEY (the key Retell signs with), and restart the daemon",
        );
    }
    if !((200..300).contains(&signed.status) || (signed.status == 404 && signed_code == "not_found")) {
        return Check::fail(
            DAEMON,
            name,
            format!("the signed test event got {} at {}: {}", signed.status, signed.url, signed.response),
            "check the daemon's log; ASKPRO_PUBLIC_URL must lead to askpro-daemon unchanged (the proxy passes bodies as they are)",
        );
    }
    if forged.status != 401 {
        return Check::fail(
            DAEMON,
            name,
            format!("the daemon did not refuse a forged signature ({} at {})", forged.status, forged.url),
            "ASKPRO_PUBLIC_URL must lead to askpro-daemon itself; install askpro-daemon from this build",
        );
    }
    Check::pass(DAEMON, name, "a correctly signed event is accepted, a forged one refused (401)")
}

/// The key to sign with: the one given (`--key`), else `RETELL_API_KEY`, else a company's own
/// Retell key, which the daemon verifies with as well.
pub(crate) async fn signing_key(given: Option<&str>, settings: &Settings, app: Option<&App>) -> Option<String> {
    if let Some(key) = given.filter(|k| !k.is_empty()) {
        return Some(key.to_string());
    }
    if let Some(key) = &settings.retell_api_key {
        return Some(key.clone());
    }
    let app = app?;
    for company in app.store.companies().await.ok()?.iter().filter(|c| c.retell_api_key.is_some()) {
        if let Ok(Some(key)) = app.company_secret(company.id, SecretField::RetellApiKey).await {
            return Some(key);
        }
    }
    None
}

pub(crate) async fn backlog(app: &App, limit: Duration) -> Vec<Check> {
    let fix = "check the database (askpro db:status)";
    let backlog = match tokio::time::timeout(limit, app.store.backlog(None)).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return vec![Check::error(DAEMON, "failed webhooks", &e, fix)],
        Err(_) => {
            return vec![Check::fail(DAEMON, "failed webhooks", format!("no answer within {} s", seconds(limit)), fix)]
        }
    };
    let now = crate::store::now_ms();
    let age = |oldest: Option<i64>| oldest.map(|t| ((now - t).max(0) / 3_600_000) + 1).unwrap_or(1);
    let webhooks = if backlog.failed_webhooks == 0 {
        Check::pass(DAEMON, "failed webhooks", "none waiting for webhooks:retry")
    } else {
        let hours = age(backlog.oldest_failed_webhook);
        Check::fail(
            DAEMON,
            "failed webhooks",
            format!(
                "{} delivery(ies) failed to process, the oldest within the last {hours} h",
                backlog.failed_webhooks
            ),
            format!("askpro webhooks:retry --hours {}", hours.clamp(1, 8760)),
        )
    };
    let outbox = if backlog.pending_notifications == 0 {
        Check::pass(DAEMON, "outbox", "no notification waiting")
    } else {
        let hours = age(backlog.oldest_pending_notification);
        Check::warn(
            DAEMON,
            "outbox",
            format!(
                "{} notification(s) waiting in the outbox, the oldest within the last {hours} h; askpro does not deliver them yet",
                backlog.pending_notifications
            ),
            "tell the companies' staff about their callback requests and read the alerts of monitoring:health-check --alert (askpro has no notification delivery yet)",
        )
    };
    vec![webhooks, outbox]
}
