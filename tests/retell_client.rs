//! The Retell client against the fake: pagination, retries of reads (429), no retry of a
//! create, Retell's error body, a bad key.

use std::time::Duration;

use askpro::clients::retell::{Client, ClientConfig, Engine, RetellError};
use askpro_fakes::retell::{FakeRetell, Settings};
use serde_json::json;

fn client(fake: &FakeRetell, key: &str) -> Client {
    let config = ClientConfig {
        base_url: fake.url.clone(),
        backoff: Duration::from_millis(10),
        page_size: 2,
        ..ClientConfig::default()
    };
    Client::new(key, config).unwrap()
}

#[tokio::test]
async fn reads_page_and_retry_creates_do_not() {
    let fake = FakeRetell::start(Settings::default());
    let retell = client(&fake, &fake.api_key());
    let llm = retell.create_engine(Engine::RetellLlm, &json!({"general_prompt": "Hallo"})).await.unwrap();
    let llm_id = llm["llm_id"].as_str().unwrap();
    for i in 0..5 {
        let body = json!({"response_engine": {"type": "retell-llm", "llm_id": llm_id}, "voice_id": "11labs-Carola",
            "agent_name": format!("askpro {i}")});
        retell.create_agent(&body).await.unwrap();
    }
    // Five agents in pages of two: three list requests.
    let all = retell.list_agents(None).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(fake.seen().iter().filter(|r| r.path == "/v2/list-agents").count(), 3);
    assert_eq!(retell.list_agents(Some("askpro 3")).await.unwrap().len(), 1);

    // A read meeting 429 is retried; a create meeting 500 is not (and says it may have happened).
    fake.fail_next("GET", "/get-retell-llm/", 429);
    assert_eq!(retell.get_engine(Engine::RetellLlm, llm_id, None).await.unwrap()["general_prompt"], "Hallo");
    fake.fail_next("POST", "/create-retell-llm", 500);
    let err = retell.create_engine(Engine::RetellLlm, &json!({})).await.unwrap_err();
    assert!(err.is_ambiguous(), "{err}");
    assert_eq!(fake.seen().iter().filter(|r| r.path == "/create-retell-llm").count(), 2, "sent once, not retried");

    // Retell's error body, and what the real API refuses.
    match retell.get_agent("agent_missing", None).await.unwrap_err() {
        RetellError::NotFound { message, .. } => assert_eq!(message, "Agent not found"),
        other => panic!("{other}"),
    }
    let no_voice = json!({"response_engine": {"type": "retell-llm", "llm_id": llm_id}});
    match retell.create_agent(&no_voice).await.unwrap_err() {
        RetellError::Rejected { status: 400, message } => assert!(message.contains("voice_id")),
        other => panic!("{other}"),
    }
    let no_engine = json!({"voice_id": "11labs-Carola"});
    assert!(matches!(retell.create_agent(&no_engine).await.unwrap_err(), RetellError::Rejected { status: 400, .. }));
    let bad = client(&fake, "key_wrong");
    let err = bad.list_voices().await.unwrap_err();
    assert!(matches!(err, RetellError::Auth { status: 401, .. }), "{err}");
    assert_eq!(askpro::Error::from(err).exit_code(), 6);
}

#[tokio::test]
async fn a_rate_limit_that_persists_is_reported() {
    let settings = Settings { rate_limit: 1, rate_window: Duration::from_secs(60), ..Settings::default() };
    let fake = FakeRetell::start(settings);
    let retell = client(&fake, &fake.api_key());
    retell.list_voices().await.unwrap();
    let err = retell.list_voices().await.unwrap_err();
    assert!(matches!(err, RetellError::RateLimited { attempts: 4 }), "{err}");
    assert_eq!(askpro::Error::from(err).exit_code(), 5);
}
