# `wasi-nn-host serve` with the example service (tests/guests-http/classify: a PNG in, PaddleOCR's
# text direction out as JSON) and its model, on the official OpenVINO runtime image. Build it from
# the repository root once the fixtures exist (scripts/generate-fixtures: the model, PP-OCR's
# text-direction classifier as IR, comes from tests/fixtures/generated):
#   docker build -f docker/serve.Dockerfile -t wasi-nn-serve .
#   docker run --rm -p 8080:8080 wasi-nn-serve
#   curl --data-binary @tests/fixtures/generated/text_upright.png http://127.0.0.1:8080/
# Another service: mount its component and models and pass serve's flags as the command.
# The tag matches upstream/openvino.toml's release (as docker/Dockerfile's).
FROM openvino/ubuntu24_runtime:2026.4.1 AS build

# Root only in this build stage (packages, toolchain); the image runs as the image's user 1000.
# hadolint ignore=DL3002
USER 0
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl build-essential \
    && rm -rf /var/lib/apt/lists/*

ENV RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:$PATH
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --profile minimal --default-toolchain 1.95.0 --target wasm32-wasip2

WORKDIR /src
COPY . .
# The host (runtime-linking: it finds the image's /opt/intel/openvino itself), the component,
# and the model laid out for `-S nn-graph=openvino::/models/classifier`.
RUN cargo build --release --locked -p wasi-nn-host --bin wasi-nn-host \
    && cargo build --release --locked --target wasm32-wasip2 \
        --manifest-path tests/guests-http/Cargo.toml -p classify-service \
    && mkdir -p /out/models/classifier \
    && cp target/release/wasi-nn-host /out/ \
    && cp tests/guests-http/target/wasm32-wasip2/release/classify_service.wasm /out/ \
    && cp tests/fixtures/generated/pp_ocr_cls.xml /out/models/classifier/model.xml \
    && cp tests/fixtures/generated/pp_ocr_cls.bin /out/models/classifier/model.bin

FROM openvino/ubuntu24_runtime:2026.4.1

COPY --from=build /out/wasi-nn-host /usr/local/bin/wasi-nn-host
COPY --from=build /out/classify_service.wasm /opt/wasi-nn-serve/classify_service.wasm
COPY --from=build /out/models /models

# The image's unprivileged user ("openvino").
USER 1000
EXPOSE 8080 9090
# SIGTERM drains the requests in flight, then the process exits with 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["wasi-nn-host", "serve"]
# Wasmtime's module cache off: the root file system may be read-only (see deploy/kubernetes).
CMD ["--addr", "0.0.0.0:8080", "--metrics-addr", "0.0.0.0:9090", "-C", "cache=n", \
     "-S", "nn-graph=openvino::/models/classifier", "/opt/wasi-nn-serve/classify_service.wasm"]
