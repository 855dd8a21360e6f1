/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! `cos-runner`: a headless libservo embedder for the COS fork.
//!
//! It loads one URL in a software-rendered WebView, prints every console
//! message on stdout as `CONSOLE <level> <message>`, and exits as soon as a
//! message starts with one of the `--done` prefixes (exit 0), when the page
//! crashes (exit 3) or when the timeout expires (exit 2). With `--shutdown`, a
//! page that finished is followed by Servo's full shutdown, as an embedder's
//! quit does, for tests of what a clean exit leaves in the profile.

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use dpi::PhysicalSize;
use servo::{
    ConsoleLogLevel, CreateNewWebViewRequest, EventLoopWaker, LoadStatus, Opts, PrefValue, Preferences, RenderingContext,
    ServoBuilder, SoftwareRenderingContext, WebView, WebViewBuilder, WebViewDelegate,
};

const USAGE: &str = "usage: cos-runner [--timeout SECS] [--config-dir DIR] [--temporary-storage] \
[--certificate PEM] [--host-file FILE] [--multiprocess] [--shutdown] [--pref NAME=VALUE]... \
[--done PREFIX]... URL";

struct Args {
    url: url::Url,
    timeout: Duration,
    done_prefixes: Vec<String>,
    opts: Opts,
    prefs: Vec<(String, String)>,
    shutdown: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut opts = Opts::default();
    let mut timeout = Duration::from_secs(60);
    let mut done_prefixes = Vec::new();
    let mut prefs = Vec::new();
    let mut url = None;
    let mut shutdown = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--timeout" => {
                let secs: f64 = value("--timeout")?
                    .parse()
                    .map_err(|e| format!("--timeout: {e}"))?;
                timeout = Duration::from_secs_f64(secs);
            },
            "--config-dir" => opts.config_dir = Some(PathBuf::from(value("--config-dir")?)),
            "--temporary-storage" => opts.temporary_storage = true,
            "--certificate" => opts.certificate_path = Some(value("--certificate")?),
            "--host-file" => opts.host_file = Some(PathBuf::from(value("--host-file")?)),
            "--multiprocess" => opts.multiprocess = true,
            "--shutdown" => shutdown = true,
            "--pref" => {
                let spec = value("--pref")?;
                let (name, val) = spec
                    .split_once('=')
                    .ok_or(format!("--pref {spec}: expected NAME=VALUE"))?;
                prefs.push((name.to_owned(), val.to_owned()));
            },
            "--done" => done_prefixes.push(value("--done")?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => {
                url = Some(url::Url::parse(other).map_err(|e| format!("bad URL {other}: {e}"))?)
            },
        }
    }
    Ok(Args {
        url: url.ok_or(USAGE.to_owned())?,
        timeout,
        done_prefixes,
        opts,
        prefs,
        shutdown,
    })
}

/// Converts `VALUE` to the type the named preference has.
fn pref_value(name: &str, value: &str) -> Result<PrefValue, String> {
    if !Preferences::exists(name) {
        return Err(format!("unknown preference {name}"));
    }
    let bad = |e: &dyn std::fmt::Display| format!("--pref {name}={value}: {e}");
    Ok(match Preferences::type_of(name) {
        "bool" => PrefValue::Bool(value.parse().map_err(|e| bad(&e))?),
        "i64" => PrefValue::Int(value.parse().map_err(|e| bad(&e))?),
        "u64" => PrefValue::UInt(value.parse().map_err(|e| bad(&e))?),
        "f64" => PrefValue::Float(value.parse().map_err(|e| bad(&e))?),
        _ => PrefValue::Str(value.to_owned()),
    })
}

#[derive(Clone)]
struct Waker(Arc<AtomicBool>);

impl EventLoopWaker for Waker {
    fn clone_box(&self) -> Box<dyn EventLoopWaker> {
        Box::new(self.clone())
    }

    fn wake(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[derive(Default)]
struct Delegate {
    done_prefixes: Vec<String>,
    done: Cell<bool>,
    crashed: RefCell<Option<String>>,
    loaded: Cell<bool>,
    /// What `window.open()`'s new top-level pages draw on; `None` refuses them.
    rendering_context: Option<Rc<dyn RenderingContext>>,
    /// The pages `window.open()` made: a `WebView` lives only while the embedder holds it.
    opened: RefCell<Vec<WebView>>,
}

impl WebViewDelegate for Delegate {
    fn show_console_message(&self, _webview: WebView, level: ConsoleLogLevel, message: String) {
        let level = format!("{level:?}").to_lowercase();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "CONSOLE {level} {message}");
        let _ = out.flush();
        if self
            .done_prefixes
            .iter()
            .any(|p| message.starts_with(p.as_str()))
        {
            self.done.set(true);
        }
    }

    fn notify_load_status_changed(&self, _webview: WebView, status: LoadStatus) {
        if status == LoadStatus::Complete {
            self.loaded.set(true);
        }
    }

    fn notify_crashed(&self, _webview: WebView, reason: String, _backtrace: Option<String>) {
        *self.crashed.borrow_mut() = Some(reason);
    }

    /// `window.open()`: tests open pages of other sites as top-level documents of their own
    /// (a popup is its own top level). They share this delegate, so their console reaches stdout.
    fn request_create_new(&self, parent: WebView, request: CreateNewWebViewRequest) {
        let Some(context) = self.rendering_context.clone() else {
            return;
        };
        let webview = request
            .builder(context)
            .delegate(parent.delegate())
            .build();
        self.opened.borrow_mut().push(webview);
    }

    fn notify_new_frame_ready(&self, webview: WebView) {
        webview.paint();
    }
}

fn main() -> ExitCode {
    // In multiprocess mode Servo re-executes this binary for each content process.
    let mut argv = std::env::args().skip(1);
    if argv.next().as_deref() == Some("--content-process") {
        if let Some(token) = argv.next() {
            servo::run_content_process(token);
        }
        return ExitCode::SUCCESS;
    }

    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(64);
        },
    };

    let mut preferences = Preferences::default();
    // Everything a test talks to is on loopback: a proxy from the environment would interfere.
    preferences.network_http_proxy_uri = String::new();
    preferences.network_https_proxy_uri = String::new();
    for (name, value) in &args.prefs {
        match pref_value(name, value) {
            Ok(v) => preferences.set_value(name, v),
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::from(64);
            },
        }
    }

    let rendering_context = match SoftwareRenderingContext::new(PhysicalSize {
        width: 800,
        height: 600,
    }) {
        Ok(context) => Rc::new(context),
        Err(e) => {
            eprintln!("cannot create a software rendering context: {e:?}");
            return ExitCode::from(70);
        },
    };
    if let Err(e) = rendering_context.make_current() {
        eprintln!("cannot make the rendering context current: {e:?}");
        return ExitCode::from(70);
    }

    let servo = ServoBuilder::default()
        .opts(args.opts)
        .preferences(preferences)
        .event_loop_waker(Box::new(Waker(Arc::new(AtomicBool::new(false)))))
        .build();
    let delegate = Rc::new(Delegate {
        done_prefixes: args.done_prefixes.clone(),
        rendering_context: Some(rendering_context.clone() as Rc<dyn RenderingContext>),
        ..Default::default()
    });
    let webview = WebViewBuilder::new(&servo, rendering_context.clone())
        .delegate(delegate.clone())
        .url(args.url.clone())
        .build();

    let deadline = Instant::now() + args.timeout;
    let status = loop {
        servo.spin_event_loop();
        if delegate.done.get() {
            break 0;
        }
        if let Some(reason) = delegate.crashed.borrow().as_ref() {
            eprintln!("cos-runner: page crashed: {reason}");
            break 3;
        }
        if Instant::now() >= deadline {
            eprintln!(
                "cos-runner: timed out after {:?} (loaded: {})",
                args.timeout,
                delegate.loaded.get()
            );
            break 2;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    drop(webview);
    if args.shutdown && status == 0 {
        // Dropping the last handle on Servo asks the constellation to exit and spins until
        // every thread it owns, the storage threads among them, has.
        drop(servo);
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // Tearing down a full Servo instance is slow and not what is under test, and running the
    // C++ static destructors of a live SpiderMonkey aborts: leave without them.
    #[expect(unsafe_code)]
    unsafe {
        libc::_exit(status)
    }
}
