//! The `graceful_shutdown` example as a user runs it: a process that is sent
//! SIGINT or SIGTERM, whose cleanup output, exit status and time are checked.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The example's binary, built by cargo for this test.
const EXAMPLE: &str = env!("CARGO_BIN_EXE_graceful_shutdown");

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
        let mut command = Command::new(EXAMPLE);
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
        let mut running = Running {
            child,
            lines,
            output: Vec::new(),
        };
        running.wait_for_line("ready");
        running
    }

    fn wait_for_line(&mut self, wanted: &str) {
        let since = Instant::now();
        while !self.output.iter().any(|line| line == wanted) {
            let left = LIMIT.saturating_sub(since.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.output.push(line),
                Err(_) => panic!("no line {wanted:?} within {LIMIT:?}: {:?}", self.output),
            }
        }
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

#[test]
fn sigint_lets_every_worker_clean_up_and_exits_with_success() {
    let running = Running::start(None);
    let sent = Instant::now();
    running.signal("INT");
    let (status, took, output, _) = running.exit(sent);
    assert_eq!(status.code(), Some(0), "{output:?}");
    for worker in ["worker 1: cleaned up", "worker 2: cleaned up"] {
        assert!(output.iter().any(|line| line == worker), "{output:?}");
    }
    assert!(
        took < Duration::from_millis(300),
        "took {took:?}, the cleanups take 50 ms"
    );
}

#[test]
fn sigterm_aborts_a_stubborn_worker_after_the_grace_period_and_says_so() {
    let running = Running::start(Some("--stubborn"));
    let sent = Instant::now();
    running.signal("TERM");
    let (status, took, output, _) = running.exit(sent);
    assert_eq!(status.code(), Some(2), "{output:?}");
    assert_eq!(
        output
            .iter()
            .filter(|line| line.ends_with("cleaned up"))
            .count(),
        2,
        "the cooperative workers cleaned up: {output:?}"
    );
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "took {took:?} for a 300 ms grace period"
    );
}

#[test]
fn a_second_signal_aborts_at_once() {
    let running = Running::start(Some("--stubborn"));
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
fn a_failing_worker_ends_the_program_with_its_error() {
    let running = Running::start(Some("--fail"));
    let (status, _, output, stderr) = running.exit(Instant::now());
    assert_eq!(status.code(), Some(1), "{output:?}");
    assert!(
        stderr.contains("the database went away"),
        "stderr: {stderr}"
    );
}
