# lambdaport in a container: the engine and the taxi-trip pipeline (examples/pipeline), built with
# the same scripts CI uses (scripts/setup.sh, scripts/build.sh).
#
#   docker build -t lambdaport .                  the final stage: engine + pipeline, debian:12-slim
#   docker build --target tests -t lambdaport-tests .   the build plus its tests (docker-compose.yml
#                                                 runs the integration suite against MinIO with it)
#   docker compose up                             MinIO, its buckets and the pipeline (docker-compose.yml)
#
# The final stage runs `lambdaport serve` as the unprivileged user `lambdaport`, listening on
# 0.0.0.0:3001 inside the container so that a published port reaches it. This is the one place
# lambdaport listens beyond loopback by default: everywhere else it binds 127.0.0.1. An address
# beyond loopback needs a credential that callers sign with, so the image carries none (anyone could
# read it out of a published image) and refuses to start without one: pass
# LAMBDAPORT_ACCESS_KEY_ID and LAMBDAPORT_SECRET_ACCESS_KEY (docker-compose.yml does), or add
# --no-auth to the command knowingly.

# --- build: Debian 12, the project's dependencies, the engine and the examples ----------------------
FROM debian:12 AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# The dependency layer first, so that a source change does not reinstall packages.
COPY scripts/setup.sh scripts/setup.sh
RUN scripts/setup.sh && rm -rf /var/lib/apt/lists/*
COPY . .
# No tests and no benchmarks here: the final stage needs the engine and the pipeline only (the
# tests stage below adds the tests to the same build folder).
# Without ccache (setup.sh installs it): a cache inside an image layer would only make the layer bigger.
ENV LAMBDAPORT_CCACHE=0
RUN scripts/build.sh build -DLAMBDAPORT_BUILD_TESTS=OFF -DLAMBDAPORT_BUILD_BENCH=OFF
# What the final stage takes, stripped of debug information: the engine, the pipeline's functions
# and generator, and the pipeline's configuration with handler paths relative to it; and the same
# with its bucket sources in push mode (docker-compose.yml: MinIO's webhooks POST each new object,
# a listing every 10 s is the fallback; the token from LAMBDAPORT_PUSH_TOKEN).
RUN set -eu; \
    mkdir -p /out/bin /out/pipeline/functions; \
    install -s build/runtime/lambdaport build/examples/pipeline/generate/pipeline_generate /out/bin/; \
    for fn in split clean analyse report; do \
      install -s "build/examples/pipeline/functions/pipeline_$fn" /out/pipeline/functions/; \
    done; \
    sed 's|@PIPELINE_FUNCTIONS@|functions|' examples/pipeline/pipeline.json.in \
      > /out/pipeline/pipeline.json; \
    sed 's|"type": "s3",|"type": "s3", "mode": "push", "configure_server": false, "push_token": "env:LAMBDAPORT_PUSH_TOKEN", "rescan_interval": 10,|' \
      /out/pipeline/pipeline.json > /out/pipeline/pipeline-push.json; \
    cp examples/pipeline/FORMAT.md /out/pipeline/

# --- tests: the same build with its tests, and what only the suite needs ---------------------------
# Used by docker-compose.yml's `tests` service; not part of the final image.
# The MinIO runs need nothing setup.sh --tests adds (sqlite3 and Chromium serve the local-disk
# pipeline checks), so none of it is installed here.
FROM build AS tests
RUN scripts/build.sh build -DLAMBDAPORT_BUILD_TESTS=ON
ENV LAMBDAPORT_BIN=/src/build/runtime/lambdaport \
    LAMBDAPORT_EXAMPLES=/src/build/examples \
    LAMBDAPORT_STORAGE_CONFORMANCE=/src/build/tests/conformance/lambdaport_storage_conformance \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /src/tests/integration
CMD ["python3", "-m", "unittest", "-v", "test_storage_conformance.StorageConformanceTest.test_local_disk", \
     "test_storage_conformance.StorageConformanceTest.test_minio", "test_pipeline.PipelineOnMinio"]

# --- final: the engine and the pipeline, with only the libraries they load ---------------------------
FROM debian:12-slim
# libcurl4 and libssl3 (libcrypto): what the engine's bucket and queue sources and the pipeline's
# functions load (lambdaport::storage, ::sqs, ::lambda); libyaml-cpp0.7: the engine's SAM template
# reader (--template); unzip: a template's zipped CodeUri; ca-certificates: HTTPS to Amazon S3. The
# C and C++ runtimes (libc6, libstdc++6, libgcc-s1) are already in debian:12-slim.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libcurl4 libssl3 libyaml-cpp0.7 unzip \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 lambdaport \
    && useradd --uid 10001 --gid lambdaport --home-dir /var/lib/lambdaport --create-home \
         --shell /usr/sbin/nologin lambdaport \
    && install -d -o lambdaport -g lambdaport /var/lib/lambdaport/state
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build /out/pipeline/ /opt/lambdaport/pipeline/
USER lambdaport
WORKDIR /var/lib/lambdaport
EXPOSE 3001
# Storage comes from the command (`--storage http://minio:9000` in docker-compose.yml) or from the
# environment (LAMBDAPORT_STORAGE, AWS_ENDPOINT_URL_S3); storage credentials from AWS_ACCESS_KEY_ID
# and AWS_SECRET_ACCESS_KEY; the Invoke API's from LAMBDAPORT_ACCESS_KEY_ID and
# LAMBDAPORT_SECRET_ACCESS_KEY (required: see the top of this file).
ENTRYPOINT ["lambdaport"]
CMD ["serve", "--config", "/opt/lambdaport/pipeline/pipeline.json", "--listen", "0.0.0.0:3001", \
     "--state", "/var/lib/lambdaport/state"]
