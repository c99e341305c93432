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
use crate::state::AppState;

/// How long [`RunningServer::stop`] lets requests in flight finish: a booking takes
/// microseconds, so a second is ample for everything but the endless status streams.
pub const STOP_GRACE: Duration = Duration::from_secs(1);

/// A server running on the current tokio runtime.
#[derive(Debug)]
pub struct RunningServer {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    serving: JoinHandle<io::Result<()>>,
    door: JoinHandle<()>,
}

/// Binds `listen` (port 0 for any free port), starts the door's timer and serves `state`.
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
        serving,
        door,
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
    /// the door. Live status streams never finish by themselves, so whatever is still open
    /// after the grace is cut.
    ///
    /// # Errors
    /// The server's I/O error, if it failed while serving.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.door.abort();
        match tokio::time::timeout(STOP_GRACE, &mut self.serving).await {
            Ok(finished) => finished.map_err(io::Error::other)?,
            Err(_) => {
                self.serving.abort();
                Ok(())
            }
        }
    }

    /// Waits until the server stops by itself (it does not, short of an I/O failure) or the
    /// future is dropped.
    ///
    /// # Errors
    /// The server's I/O error.
    pub async fn wait(mut self) -> io::Result<()> {
        let result = (&mut self.serving).await.map_err(io::Error::other)?;
        self.door.abort();
        result
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.door.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
