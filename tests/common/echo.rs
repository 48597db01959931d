//! A misbehaving gateway on a loopback port: every request gets one status and a body that
//! repeats the request's bearer key, as a proxy or a wrong base URL can. Stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub struct EchoGateway {
    pub url: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EchoGateway {
    /// Answers every request with `status` and `body(key)`, `key` being the bearer token the
    /// request carried (empty without one).
    pub fn start(status: u16, content_type: &str, body: impl Fn(&str) -> String + Send + 'static) -> EchoGateway {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let content_type = content_type.to_string();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = answer(stream, status, &content_type, &body);
                }
            }
        });
        EchoGateway { url, stop, thread: Some(thread) }
    }
}

fn answer(stream: TcpStream, status: u16, content_type: &str, body: &impl Fn(&str) -> String) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let (mut key, mut length) = (String::new(), 0usize);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((&line, ""));
        match name.to_ascii_lowercase().as_str() {
            "authorization" => key = value.trim().trim_start_matches("Bearer ").to_string(),
            "content-length" => length = value.trim().parse().unwrap_or(0),
            _ => {}
        }
    }
    let mut request_body = vec![0; length];
    reader.read_exact(&mut request_body)?;
    let text = body(&key);
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} Echo\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    stream.flush()
}

impl Drop for EchoGateway {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
