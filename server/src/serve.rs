//! [`start`]: bind, start the door and serve, with a handle to stop it all
//! ([`RunningServer`]). The binary and the integration tests start servers the same way.

use std::io;
use std::net::SocketAddr;

use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::door::spawn_door;
use crate::routes::router;
use crate::snapshots::spawn_snapshots;
use crate::state::AppState;

/// How long [`RunningServer::stop`] lets requests in flight finish: a booking takes
/// microseconds, so a second is ample for everything but the endless status streams.
pub const STOP_GRACE: Duration = Duration::from_secs(1);

/// A server running on the current tokio runtime.
#[derive(Debug)]
pub struct RunningServer {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    /// `None` once [`RunningServer::wait`] saw it finish.
    serving: Option<JoinHandle<io::Result<()>>>,
    door: JoinHandle<()>,
    snapshots: Option<JoinHandle<()>>,
}

/// Binds `listen` (port 0 for any free port), starts the door's timer (and, for a journaled
/// state, the snapshot timer) and serves `state`.
///
/// # Errors
/// The bind's I/O error (address in use, permission).
///
/// # Example
/// ```no_run
/// # async fn run(campaign: fairbook_server::Campaign) -> Result<(), Box<dyn std::error::Error>> {
/// use fairbook_server::{AppState, start};
/// let server = start(AppState::from_campaign(&campaign)?, "127.0.0.1:0".parse()?).await?;
/// println!("listening on {}", server.address());
/// server.stop().await?;
/// # Ok(()) }
/// ```
pub async fn start(state: AppState, listen: SocketAddr) -> io::Result<RunningServer> {
    let listener = TcpListener::bind(listen).await?;
    let address = listener.local_addr()?;
    let door = spawn_door(state.clone());
    let snapshots = state.durable().map(|durable| {
        let every = Duration::from_millis(state.settings().snapshot_check_ms);
        spawn_snapshots(durable.clone(), every)
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state);
    let serving = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningServer {
        address,
        stop: Some(stop),
        serving: Some(serving),
        door,
        snapshots,
    })
}

impl RunningServer {
    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The base URL, `http://address`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops accepting, lets requests in flight finish for up to [`STOP_GRACE`], and stops
    /// the door (and the snapshot timer). Live status streams never finish by themselves, so
    /// whatever is still open after the grace is cut.
    ///
    /// # Errors
    /// The server's I/O error, if it failed while serving.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.stop_timers();
        let Some(mut serving) = self.serving.take() else {
            return Ok(());
        };
        match tokio::time::timeout(STOP_GRACE, &mut serving).await {
            Ok(finished) => finished.map_err(io::Error::other)?,
            Err(_) => {
                serving.abort();
                Ok(())
            }
        }
    }

    /// Waits until the server stops by itself (it does not, short of an I/O failure) or the
    /// future is dropped. Cancel-safe: drop it (in a `select!`) and [`RunningServer::stop`]
    /// the server.
    ///
    /// # Errors
    /// The server's I/O error.
    pub async fn wait(&mut self) -> io::Result<()> {
        let Some(serving) = self.serving.as_mut() else {
            return Ok(());
        };
        let finished = serving.await;
        self.serving = None;
        self.stop_timers();
        finished.map_err(io::Error::other)?
    }
}

impl RunningServer {
    fn stop_timers(&mut self) {
        self.door.abort();
        if let Some(snapshots) = &self.snapshots {
            snapshots.abort();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop_timers();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
