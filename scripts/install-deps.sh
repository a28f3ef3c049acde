#!/bin/sh
# Install every build and test dependency on a fresh Debian or Ubuntu
# machine (apt-get, as root). The why of each is in docs/DEPENDENCIES.md.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  build-essential pkg-config ca-certificates \
  libjansson-dev libcap-dev libarchive-dev libssl-dev \
  libcurl4-openssl-dev libisal-dev libzstd-dev zlib1g-dev \
  libseccomp-dev libmnl-dev libnftables-dev \
  libcmocka-dev bats jq util-linux bsdutils procps libcap2-bin \
  busybox-static runc podman docker-registry skopeo umoci curl iproute2 coreutils nftables \
  qemu-system-x86 cpio xfsprogs \
  apache2-utils openssl python3 \
  clang libclang-rt-14-dev strace
