//! A TCP echo server that stops on Ctrl-C or SIGTERM: it stops accepting,
//! each open connection says goodbye within the grace period, a connection
//! stuck on a slow client is aborted when the grace runs out, and a second
//! signal aborts everything at once. The exit status says which happened.
//!
//! `cargo run -p taskscope-examples --example graceful_shutdown [-- --stubborn | --fail]`,
//! then connect (`nc 127.0.0.1 PORT`, the port is printed) and press
//! Ctrl-C. Before taskscope, every server wrote this by hand: a `select!` on
//! Ctrl-C, a cancellation token threaded through every connection, a
//! deadline, a join, an exit code. `#[taskscope::main]` is
//! `taskscope::shutdown::run` around `main`; a program with its own runtime
//! calls that function.
//!
//! - no argument: connections echo lines; on a signal each writes `bye` and
//!   closes (exit 0);
//! - `--stubborn`: connections ignore the signal, as a handler blocked on a
//!   slow client would: aborted after the 300 ms grace period (exit 2); a
//!   second signal aborts at once (exit 130);
//! - `--fail`: the listener fails right after start-up (exit 1, the error on
//!   stderr).

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

// Connections may take 300 ms to say goodbye once the server is told to stop.
#[taskscope::main(shutdown_grace_ms = 300)]
async fn main() -> io::Result<()> {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?);
    if mode == "--fail" {
        return Err(io::Error::other("the listener's socket went away"));
    }
    let stubborn = mode == "--stubborn";
    // The accept loop is a child of the program's scope, like every
    // connection it starts: a signal cancels all of them.
    taskscope::spawn(accept(listener, stubborn)).map_err(io::Error::other)?;
    Ok(())
}

/// Accepts until the program is told to stop; each connection is a child
/// of the program's scope.
async fn accept(listener: TcpListener, stubborn: bool) -> io::Result<()> {
    loop {
        let (stream, _) = tokio::select! {
            biased;
            () = taskscope::cancelled() => return Ok(()), // stop accepting
            accepted = listener.accept() => accepted?,
        };
        taskscope::spawn(serve(stream, stubborn)).map_err(io::Error::other)?;
    }
}

/// Echoes lines until the client leaves or the program stops.
async fn serve(stream: TcpStream, stubborn: bool) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    loop {
        let line = if stubborn {
            // Blind to the signal: only the abort after the grace ends it.
            lines.next_line().await?
        } else {
            tokio::select! {
                biased;
                () = taskscope::cancelled() => {
                    write.write_all(b"bye\n").await?;
                    println!("connection: said goodbye");
                    return Ok(());
                }
                line = lines.next_line() => line?,
            }
        };
        let Some(line) = line else {
            return Ok(()); // the client left
        };
        write.write_all(format!("{line}\n").as_bytes()).await?;
    }
}
