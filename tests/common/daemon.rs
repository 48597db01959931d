//! The daemon in process on a loopback port over a test database, and plain HTTP/1.1 requests
//! to it, signed as Retell signs them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use askpro::app::App;
use askpro::config::{Overrides, Settings};
use askpro::daemon::{serve, State};
use askpro::signatures::retell as signature;
use askpro::store::{now_ms, PoolSize};

use super::TestDb;

pub const PLATFORM_KEY: &str = "key_platform_test_0123456789";

pub struct Daemon {
    pub addr: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _runtime: tokio::runtime::Runtime,
}

impl Daemon {
    /// Starts on a loopback port with the platform key and `env` as the environment.
    pub fn start(db: &TestDb, env: &[(&str, &str)]) -> Daemon {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let overrides = Overrides { database_url: Some(db.url.clone()), ..Default::default() };
        let master = db.master_key.clone();
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let settings = Settings::resolve(&overrides, |name| match name {
            "RETELL_API_KEY" => Some(PLATFORM_KEY.to_string()),
            "ASKPRO_MASTER_KEY" => master.clone(),
            _ => env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
        })
        .unwrap();
        let (addr, stop) = runtime.block_on(async {
            let app = App::connect(settings, PoolSize(4)).await.unwrap();
            let state = Arc::new(State::new(app).await.unwrap());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap().to_string();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(serve(listener, state, async {
                let _ = stopped.await;
            }));
            (addr, stop)
        });
        Daemon { addr, stop: Some(stop), _runtime: runtime }
    }

    /// POSTs `body` with the given Retell signature header; returns (status, body).
    pub fn post(&self, path: &str, body: &[u8], signature: Option<&str>) -> (u16, String) {
        self.post_with(path, body, &[("X-Retell-Signature", signature)])
    }

    /// POSTs `body` with `headers` (those given `None` are left out); returns (status, body).
    pub fn post_with(&self, path: &str, body: &[u8], headers: &[(&str, Option<&str>)]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (name, value) in headers {
            if let Some(value) = value {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        head.push_str("\r\n");
        // One write: two small ones would meet Nagle and delayed ACKs.
        let _ = stream.write_all(&[head.as_bytes(), body].concat());
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let response = String::from_utf8_lossy(&response).to_string();
        let status = response.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0);
        (status, response.split("\r\n\r\n").nth(1).unwrap_or("").to_string())
    }

    pub fn signed(&self, body: &[u8], key: &str) -> (u16, String) {
        self.signed_to("/retell/webhook", body, key)
    }

    pub fn signed_to(&self, path: &str, body: &[u8], key: &str) -> (u16, String) {
        self.post(path, body, Some(&signature::sign(body, key, now_ms())))
    }

    pub fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
