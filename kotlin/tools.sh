# Sourced by kotlin/run-tests.sh and scripts/package.sh: makes sure the JVM tools are
# there and sets `jna` (Debian's JNA jar) and `kotlinc` (npm's pinned compiler).
# Installs Debian's libjna-java when it is missing and this runs as root.
jna=/usr/share/java/jna.jar
if [ ! -f "$jna" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "JNA is missing: install Debian's libjna-java package (apt-get install libjna-java)" >&2
    exit 1
  fi
  echo "installing Debian's libjna-java"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java >/dev/null
fi
if ! command -v java >/dev/null || ! command -v jar >/dev/null; then
  echo "java or jar is missing: install a JDK 17 (apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi
echo "installing the pinned Kotlin compiler (npm ci in kotlin/)"
(cd kotlin && npm ci --no-audit --no-fund --loglevel=error)
kotlinc="$PWD/kotlin/node_modules/kotlin-compiler/bin/kotlinc"
