//! What one request's store holds (WASI p2, wasi:http, wasi:nn, memory limits) and the linker
//! that gives a `wasi:http/proxy` component all three.

use std::future::Future;
use std::sync::Arc;

use anyhow::anyhow;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use super::ServeConfig;
use crate::Backend;
use crate::wit::{WasiNnCtx, WasiNnView};

/// One request's store data.
pub(crate) struct Host {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: NoOutgoingRequests,
    table: ResourceTable,
    nn: WasiNnCtx,
    pub(crate) limits: StoreLimits,
}

impl Host {
    pub(crate) fn new(config: &ServeConfig, backend: &Arc<Backend>) -> anyhow::Result<Self> {
        let mut wasi = WasiCtxBuilder::new();
        // Guests log to the server's output, as `wasmtime serve` lets them.
        wasi.inherit_stdout().inherit_stderr();
        for (name, value) in &config.env {
            wasi.env(name, value);
        }
        for (host, guest) in &config.dirs {
            // Read-only: requests share these folders, and a service has no business changing
            // them (a guest that needs state has a database).
            wasi.preopened_dir(host, guest, FsPerms::ReadOnly)
                .map_err(|e| anyhow!("cannot open the folder {}: {e}", host.display()))?;
        }
        let mut table = ResourceTable::new();
        table.set_max_capacity(config.max_resources);
        Ok(Self {
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            hooks: NoOutgoingRequests,
            table,
            nn: WasiNnCtx::new(Arc::clone(backend)).asynchronous(),
            limits: StoreLimitsBuilder::new()
                .memory_size(config.max_memory_size)
                .instances(MAX_INSTANCES)
                .tables(MAX_TABLES)
                .memories(MAX_MEMORIES)
                .table_elements(MAX_TABLE_ELEMENTS)
                .build(),
        })
    }
}

/// Per store: core instances, tables and memories a component may make (a Rust wasip2 component
/// makes a handful), and elements per table.
pub(crate) const MAX_INSTANCES: usize = 32;
pub(crate) const MAX_TABLES: usize = 32;
pub(crate) const MAX_MEMORIES: usize = 4;
pub(crate) const MAX_TABLE_ELEMENTS: usize = 100_000;

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for Host {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// Guests of this server answer requests; they do not make any (`outgoing-handler.handle`
/// answers `HTTP-request-denied`): a model service has no reason to reach other hosts, and a
/// hostile guest must not reach the server's network.
struct NoOutgoingRequests;

impl WasiHttpHooks for NoOutgoingRequests {
    fn send_request(
        &mut self,
        _request: http::Request<WasiBody>,
        _options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> Box<
        dyn Future<
                Output = wasmtime_wasi_http::Result<(
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
                )>,
            > + Send,
    > {
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}

/// WASI p2 (all of it: Rust's std imports `wasi:cli/environment` and `wasi:filesystem` even in
/// a proxy), wasi:http's `types` and `outgoing-handler`, and wasi:nn.
pub(crate) fn linker(engine: &wasmtime::Engine) -> anyhow::Result<Linker<Host>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)
        .map_err(|e| anyhow!("cannot link WASI: {e}"))?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
        .map_err(|e| anyhow!("cannot link wasi:http: {e}"))?;
    crate::wit::add_to_linker(&mut linker, |h: &mut Host| {
        WasiNnView::new(&mut h.nn, &mut h.table)
    })
    .map_err(|e| anyhow!("cannot link wasi:nn: {e}"))?;
    Ok(linker)
}
