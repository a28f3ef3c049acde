#!/usr/bin/env bats
# Registry authentication and TLS: Basic auth with login/logout and
# Docker's config.json, a Bearer token challenge, a self-signed CA.

load helpers
load registry
bats_require_minimum_version 1.5.0

setup() {
  common_setup
  L=$TEST_TMP/layout
  make_oci_image "$L" v1
}

# A registry with Basic auth (tester:s3cret) holding test/private:v1.
start_private_registry() {
  htpasswd -Bbn tester s3cret > "$TEST_TMP/htpasswd"
  start_registry "$TEST_TMP/registry" "auth:
  htpasswd:
    realm: test
    path: $TEST_TMP/htpasswd"
  skopeo copy -q --dest-tls-verify=false --dest-creds tester:s3cret "oci:$L:v1" "docker://$REGISTRY/test/private:v1"
}

teardown() {
  [ -f "$TEST_TMP/proxy.pid" ] && kill "$(cat "$TEST_TMP/proxy.pid")" 2>/dev/null
  stop_registry "$TEST_TMP/registry"
  common_teardown
}

@test "Basic auth: refused without credentials; login, pull, logout" {
  start_private_registry
  run dxc pull "$REGISTRY/test/private:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *unauthorized* ]]
  [ "${#lines[@]}" -eq 1 ]
  run sh -c "echo wrong | $ENGINE --root $ROOT --runroot $RUNROOT login -u tester --password-stdin $REGISTRY"
  [ "$status" -eq 1 ]
  [[ "$output" == *"wrong user name or password"* ]]
  [ ! -e "$ROOT/auth.json" ] || ! grep -q "$REGISTRY" "$ROOT/auth.json"
  run sh -c "echo s3cret | $ENGINE --root $ROOT --runroot $RUNROOT login -u tester --password-stdin $REGISTRY"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Login Succeeded"* ]]
  [ "$(stat -c %a "$ROOT/auth.json")" = 600 ]
  run dxc pull -q "$REGISTRY/test/private:v1"
  [ "$status" -eq 0 ]
  run dxc logout "$REGISTRY"
  [ "$status" -eq 0 ]
  dxc rmi "$REGISTRY/test/private:v1"
  run dxc pull -q "$REGISTRY/test/private:v1"
  [ "$status" -eq 1 ]
}

@test "Basic auth: credentials from Docker's config.json (DOCKER_CONFIG)" {
  start_private_registry
  mkdir -p "$TEST_TMP/docker"
  printf '{"auths": {"%s": {"auth": "%s"}}}' "$REGISTRY" "$(printf tester:s3cret | base64)" > "$TEST_TMP/docker/config.json"
  DOCKER_CONFIG=$TEST_TMP/docker run dxc pull -q "$REGISTRY/test/private:v1"
  [ "$status" -eq 0 ]
}

@test "a Bearer token challenge is answered, with and without credentials" {
  start_registry "$TEST_TMP/registry"
  push "$L" v1 test/tokened:v1
  port=$(free_port)
  python3 "$BATS_TEST_DIRNAME/token-proxy.py" "$port" "$REGISTRY" > /dev/null 2>&1 &
  echo $! > "$TEST_TMP/proxy.pid"
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/test/tokened/manifests/v1"
  [ "$output" = 401 ]
  run dxc pull -q "127.0.0.1:$port/test/tokened:v1"
  [ "$status" -eq 0 ]
  run dxc run --rm "127.0.0.1:$port/test/tokened:v1" echo via-token
  [ "$output" = via-token ]
  kill "$(cat "$TEST_TMP/proxy.pid")"; wait "$(cat "$TEST_TMP/proxy.pid")" 2>/dev/null || true
  # a token server that wants credentials
  TOKEN_USER=tok TOKEN_PASSWORD=pw python3 "$BATS_TEST_DIRNAME/token-proxy.py" "$port" "$REGISTRY" > /dev/null 2>&1 &
  echo $! > "$TEST_TMP/proxy.pid"
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  dxc rmi "127.0.0.1:$port/test/tokened:v1"
  run dxc pull "127.0.0.1:$port/test/tokened:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *unauthorized* ]]
  run sh -c "echo pw | $ENGINE --root $ROOT --runroot $RUNROOT login -u tok --password-stdin 127.0.0.1:$port"
  [ "$status" -eq 0 ]
  run dxc pull -q "127.0.0.1:$port/test/tokened:v1"
  [ "$status" -eq 0 ]
}

@test "TLS with a self-signed CA: refused by default, --tls-verify=false, --cert-dir" {
  (
    cd "$TEST_TMP"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=test CA" -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' > ext.cnf
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out server.crt 2>/dev/null
  )
  start_registry "$TEST_TMP/registry" "  tls:
    certificate: $TEST_TMP/server.crt
    key: $TEST_TMP/server.key"
  skopeo copy -q --dest-tls-verify=false "oci:$L:v1" "docker://$REGISTRY/test/tls:v1"
  run dxc pull "$REGISTRY/test/tls:v1"
  [ "$status" -eq 1 ]
  echo "$output"
  [[ "$output" == *"certificate"* ]]
  run dxc pull -q --tls-verify=false "$REGISTRY/test/tls:v1"
  [ "$status" -eq 0 ]
  dxc rmi "$REGISTRY/test/tls:v1"
  mkdir -p "$TEST_TMP/certs.d/$REGISTRY"
  cp "$TEST_TMP/ca.crt" "$TEST_TMP/certs.d/$REGISTRY/ca.crt"
  run dxc pull -q --cert-dir "$TEST_TMP/certs.d" "$REGISTRY/test/tls:v1"
  [ "$status" -eq 0 ]
}
