//! The `fairbook-server` command: serve a campaign, or check an admission pass as a second
//! process would.
//!
//! ```text
//! fairbook-server --campaign FILE [--listen ADDRESS] [--journal DIR]
//! fairbook-server check-pass --campaign FILE --person ID PASS
//! ```
//!
//! `check-pass` reads only the campaign's pass keys: it builds no engine and asks no server,
//! which is the point. It prints the pass's claims as JSON and exits 0, or prints the refusal's
//! code and exits 1. Exit code 2 is bad arguments or a bad campaign.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use fairbook::{PersonId, WallClock};
use fairbook_journal::JournalConfig;
use fairbook_server::{AppState, Campaign, JournalStart, start};
use tracing_subscriber::EnvFilter;

const USAGE: &str = "\
usage: fairbook-server --campaign FILE [--listen ADDRESS] [--journal DIR]
       fairbook-server check-pass --campaign FILE --person ID PASS

  --campaign FILE    the campaign (TOML); see server/campaigns/
  --listen ADDRESS   overrides server.listen (e.g. 127.0.0.1:8080; port 0 picks a free one)
  --journal DIR      overrides server.journal: journal every change there and answer each
                     once durable; a restart on the same DIR recovers every booking
  --person ID        check-pass: whose pass it should be
  RUST_LOG           log filter (default: info)";

enum Command {
    Serve {
        campaign: PathBuf,
        listen: Option<SocketAddr>,
        journal: Option<PathBuf>,
    },
    CheckPass {
        campaign: PathBuf,
        person: PersonId,
        pass: String,
    },
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut check = false;
    let (mut campaign, mut listen, mut person, mut pass) = (None, None, None, None);
    let mut journal = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "check-pass" if !check && campaign.is_none() => check = true,
            "--campaign" => campaign = Some(PathBuf::from(value("--campaign")?)),
            "--listen" => {
                let text = value("--listen")?;
                listen = Some(text.parse().map_err(|_| format!("bad address {text:?}"))?);
            }
            "--journal" => journal = Some(PathBuf::from(value("--journal")?)),
            "--person" => {
                let text = value("--person")?;
                person = Some(text.parse().map_err(|error| format!("--person: {error}"))?);
            }
            "--help" | "-h" => return Err(String::new()),
            other if check && pass.is_none() && !other.starts_with("--") => {
                pass = Some(other.to_owned());
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let campaign = campaign.ok_or("--campaign is required")?;
    if check {
        Ok(Command::CheckPass {
            campaign,
            person: person.ok_or("check-pass needs --person")?,
            pass: pass.ok_or("check-pass needs the pass")?,
        })
    } else {
        Ok(Command::Serve {
            campaign,
            listen,
            journal,
        })
    }
}

fn main() -> ExitCode {
    let command = match parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("fairbook-server: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::CheckPass {
            campaign,
            person,
            pass,
        } => check_pass(&campaign, person, &pass),
        Command::Serve {
            campaign,
            listen,
            journal,
        } => serve(&campaign, listen, journal),
    }
}

fn load(path: &std::path::Path) -> Result<Campaign, ExitCode> {
    Campaign::from_file(path).map_err(|error| {
        eprintln!("fairbook-server: {error}");
        ExitCode::from(2)
    })
}

fn check_pass(path: &std::path::Path, person: PersonId, pass: &str) -> ExitCode {
    let campaign = match load(path) {
        Ok(campaign) => campaign,
        Err(code) => return code,
    };
    let verifier = match campaign.pass_verifier() {
        Ok(verifier) => verifier,
        Err(error) => {
            eprintln!("fairbook-server: {error}");
            return ExitCode::from(2);
        }
    };
    match verifier.verify(pass.trim(), person, WallClock::new().now()) {
        Ok(claims) => {
            println!(
                "{}",
                serde_json::to_string(&claims).expect("claims serialize")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("{}", error.code());
            eprintln!("refused: {error}");
            ExitCode::from(1)
        }
    }
}

fn serve(path: &std::path::Path, listen: Option<SocketAddr>, journal: Option<PathBuf>) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let campaign = match load(path) {
        Ok(campaign) => campaign,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("fairbook-server: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let built = match journal.or_else(|| campaign.server.journal.clone()) {
            None => AppState::from_campaign(&campaign),
            Some(dir) => AppState::journaled(&campaign, &dir, JournalConfig::default()).map(
                |(state, start)| {
                    match start {
                        JournalStart::Created => {
                            tracing::info!(dir = %dir.display(), "new journal");
                        }
                        JournalStart::Recovered(report) => tracing::info!(
                            dir = %dir.display(),
                            records = report.records,
                            snapshot = ?report.snapshot_covers,
                            torn_bytes = report.torn_bytes,
                            "recovered from the journal"
                        ),
                    }
                    state
                },
            ),
        };
        let state = match built {
            Ok(state) => state,
            Err(error) => {
                eprintln!("fairbook-server: {error}");
                return ExitCode::from(2);
            }
        };
        let listen = listen.unwrap_or(campaign.server.listen);
        let server = match start(state, listen).await {
            Ok(server) => server,
            Err(error) => {
                eprintln!("fairbook-server: cannot listen on {listen}: {error}");
                return ExitCode::FAILURE;
            }
        };
        // One line on standard output that scripts can read the address from.
        println!("listening on {}", server.url());
        tracing::info!(address = %server.address(), "serving");
        let stopping = tokio::signal::ctrl_c();
        tokio::pin!(stopping);
        let mut server = server;
        tokio::select! {
            result = server.wait() => {
                if let Err(error) = result {
                    eprintln!("fairbook-server: {error}");
                    return ExitCode::FAILURE;
                }
            }
            _ = &mut stopping => tracing::info!("stopping"),
        }
        // Stopping drops the engine and its journal once the last request is done, which
        // flushes and syncs whatever was appended.
        if let Err(error) = server.stop().await {
            eprintln!("fairbook-server: {error}");
            return ExitCode::FAILURE;
        }
        ExitCode::SUCCESS
    })
}
