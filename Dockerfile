# kubedbt images: `docker build --target operator -t kubedbt-operator .` and
# `docker build --target runner -t kubedbt-runner .`. One builder stage compiles both binaries.
# scripts/check-dockerfile.sh (ctest: dockerfile_in_step, dockerfile_builder_stage) keeps the
# package lists in step with scripts/install-deps.sh and runs the builder's build commands.

# --- builder: the same Debian packages as scripts/install-deps.sh (APT_PACKAGES), same build ---
FROM debian:bookworm AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build ccache pkg-config clang-format git openssl ca-certificates \
      tzdata libcpprest-dev libboost-system-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev \
      libpqxx-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libhowardhinnant-date-dev \
      libcli11-dev libcurl4-openssl-dev postgresql postgresql-client util-linux procps iproute2 \
      python3-venv \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DKUBEDBT_INTEGRATION_TESTS=OFF -DKUBEDBT_BENCHMARKS=OFF \
 && ninja -C build kubedbt-operator kubedbt-runner \
 && strip build/operator/kubedbt-operator build/runner/kubedbt-runner

# --- tzdata: the pinned tz database (scripts/pinned-tzdata.sh), the same release in both images ---
FROM python:3.11-slim-bookworm AS tzdata
COPY scripts/pinned-tzdata.sh /pinned-tzdata.sh
RUN cp -r "$(KUBEDBT_CACHE=/opt PIP=pip /pinned-tzdata.sh dir)" /zoneinfo

# --- operator: the controller, its shared libraries, the pinned time zones for cron; non-root ---
FROM debian:bookworm-slim AS operator
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libc6 libgcc-s1 libstdc++6 libcpprest2.10 libyaml-cpp0.7 \
      libspdlog1.10 libfmt9 libssl3 libbrotli1 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 kubedbt \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin kubedbt
COPY --from=builder /src/build/operator/kubedbt-operator /usr/local/bin/kubedbt-operator
COPY --from=tzdata /zoneinfo /usr/share/kubedbt/zoneinfo
# The operator's default --tz-dir: schedules evaluate with the pinned release, not the base image's.
ENV TZDIR=/usr/share/kubedbt/zoneinfo
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/kubedbt-operator"]

# --- runner: Python slim with dbt pinned as in install-deps.sh (PIP_PACKAGES), git, the runner ---
FROM python:3.11-slim-bookworm AS runner
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      git openssh-client ca-certificates tzdata libc6 libgcc-s1 libstdc++6 libcpprest2.10 \
      libyaml-cpp0.7 libspdlog1.10 libfmt9 libssl3 libpq5 libpqxx-6.4 libcurl4 libbrotli1 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir --disable-pip-version-check dbt-core==1.11.16 dbt-postgres==1.11.0 \
 && groupadd --gid 65532 kubedbt \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /var/run/kubedbt --shell /usr/sbin/nologin kubedbt
COPY --from=builder /src/build/runner/kubedbt-runner /usr/local/bin/kubedbt-runner
# The operator's tz release for everything in the pod: glibc (TZDIR) and Python's zoneinfo (dbt).
COPY --from=tzdata /zoneinfo /usr/share/kubedbt/zoneinfo
# The pod's root filesystem is read-only: dbt, git and Python write under HOME and TMPDIR,
# the emptyDir the operator mounts at /var/run/kubedbt.
ENV TZDIR=/usr/share/kubedbt/zoneinfo PYTHONTZPATH=/usr/share/kubedbt/zoneinfo
ENV HOME=/var/run/kubedbt TMPDIR=/var/run/kubedbt KUBEDBT_DBT=/usr/local/bin/dbt DBT_SEND_ANONYMOUS_USAGE_STATS=false PYTHONUNBUFFERED=1
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/kubedbt-runner"]
