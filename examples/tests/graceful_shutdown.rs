//! The `graceful_shutdown` example as a user runs it: an echo server that
//! is connected to, then sent SIGINT or SIGTERM, whose goodbyes, output,
//! exit status and time are checked.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The example's binary. `cargo test` builds every example beside the
/// tests, with the tests' dependencies (so nothing is built twice); a run of
/// this test alone builds it first.
fn example() -> PathBuf {
    let deps = std::env::current_exe().expect("the test's own path");
    let debug = deps
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps");
    let binary = debug.join("examples").join("graceful_shutdown");
    if !binary.exists() {
        let built = Command::new(env!("CARGO"))
            .args([
                "build",
                "-p",
                "taskscope-examples",
                "--example",
                "graceful_shutdown",
            ])
            .status()
            .expect("cargo runs");
        assert!(built.success(), "the example builds");
    }
    binary
}

/// How long any step may take before the test fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(20);

/// A running example, its stdout lines arriving on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    output: Vec<String>,
}

impl Running {
    fn start(argument: Option<&str>) -> Running {
        let mut command = Command::new(example());
        command
            .args(argument)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the example starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            output: Vec::new(),
        }
    }

    /// The first stdout line that starts with `prefix`, waited for.
    fn wait_for_line(&mut self, prefix: &str) -> String {
        let since = Instant::now();
        loop {
            if let Some(line) = self.output.iter().find(|line| line.starts_with(prefix)) {
                return line.clone();
            }
            let left = LIMIT.saturating_sub(since.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.output.push(line),
                Err(_) => panic!("no line {prefix:?}... within {LIMIT:?}: {:?}", self.output),
            }
        }
    }

    /// Connects to the server once it listens, and checks that it echoes.
    fn connect(&mut self) -> TcpStream {
        let line = self.wait_for_line("listening on ");
        let address = line.trim_start_matches("listening on ");
        let mut stream = TcpStream::connect(address).expect("the server accepts");
        stream
            .set_read_timeout(Some(LIMIT))
            .expect("a read timeout");
        stream.write_all(b"hello\n").expect("the server reads");
        assert_eq!(read_line(&mut stream), "hello", "the server echoes");
        stream
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the process to exit: its status, the time it took from
    /// `since`, every stdout line, and its stderr.
    fn exit(mut self, since: Instant) -> (ExitStatus, Duration, Vec<String>, String) {
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited for") {
                let took = since.elapsed();
                self.output.extend(self.lines.try_iter());
                let mut stderr = String::new();
                if let Some(mut pipe) = self.child.stderr.take() {
                    std::io::Read::read_to_string(&mut pipe, &mut stderr).expect("stderr");
                }
                return (status, took, self.output, stderr);
            }
            if since.elapsed() > LIMIT {
                let _ = self.child.kill();
                panic!(
                    "the example did not exit within {LIMIT:?}: {:?}",
                    self.output
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// One line read from the server, without its newline ("" at the end).
fn read_line(stream: &mut TcpStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8];
    while stream.read(&mut byte).expect("the server answers in time") == 1 {
        if byte[0] == b'\n' {
            break;
        }
        line.push(byte[0]);
    }
    String::from_utf8(line).expect("the server writes text")
}

#[test]
fn sigint_stops_accepting_and_every_connection_says_goodbye() {
    let mut running = Running::start(None);
    let mut first = running.connect();
    let mut second = running.connect();
    let sent = Instant::now();
    running.signal("INT");
    assert_eq!(read_line(&mut first), "bye");
    assert_eq!(read_line(&mut second), "bye");
    let (status, took, output, _) = running.exit(sent);
    assert_eq!(status.code(), Some(0), "{output:?}");
    assert_eq!(
        output
            .iter()
            .filter(|line| *line == "connection: said goodbye")
            .count(),
        2,
        "{output:?}"
    );
    assert!(
        took < Duration::from_millis(300),
        "took {took:?}: the goodbyes are at once"
    );
}

#[test]
fn sigterm_aborts_a_stuck_connection_after_the_grace_period_and_says_so() {
    let mut running = Running::start(Some("--stubborn"));
    let mut stuck = running.connect();
    let sent = Instant::now();
    running.signal("TERM");
    let (status, took, output, _) = running.exit(sent);
    assert_eq!(status.code(), Some(2), "{output:?}");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "took {took:?} for a 300 ms grace period"
    );
    assert_eq!(
        read_line(&mut stuck),
        "",
        "the aborted connection was closed"
    );
}

#[test]
fn a_second_signal_aborts_at_once() {
    let mut running = Running::start(Some("--stubborn"));
    let _stuck = running.connect();
    let sent = Instant::now();
    running.signal("INT");
    std::thread::sleep(Duration::from_millis(100));
    running.signal("INT");
    let (status, took, output, _) = running.exit(sent);
    assert_eq!(status.code(), Some(130), "{output:?}");
    assert!(
        took < Duration::from_millis(300),
        "took {took:?}: before the grace ran out"
    );
}

#[test]
fn a_failing_listener_ends_the_program_with_its_error() {
    let running = Running::start(Some("--fail"));
    let (status, _, output, stderr) = running.exit(Instant::now());
    assert_eq!(status.code(), Some(1), "{output:?}");
    assert!(
        stderr.contains("the listener's socket went away"),
        "stderr: {stderr}"
    );
}
