# Sourced by ./mvnw and ./atelier: make sure Maven runs on a JDK >= 21.
# Keeps JAVA_HOME when it already points at one; otherwise tries the `java` on PATH,
# then the newest JDK under /usr/lib/jvm. Prints nothing unless it has to complain.
atelier_java_major() {
  # $1: path of a java executable; prints its feature version (17, 21, 25...) or nothing.
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
atelier_select_jdk() {
  atelier_min=21
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v="$(atelier_java_major "$JAVA_HOME/bin/java")"
    [ -n "$v" ] && [ "$v" -ge "$atelier_min" ] && return 0
  fi
  if [ -z "${JAVA_HOME-}" ] && command -v java >/dev/null 2>&1; then
    v="$(atelier_java_major java)"
    [ -n "$v" ] && [ "$v" -ge "$atelier_min" ] && return 0
  fi
  best="" best_v=0
  set +f
  for home in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -x "$home/bin/javac" ] || continue
    v="$(atelier_java_major "$home/bin/java")"
    if [ -n "$v" ] && [ "$v" -ge "$atelier_min" ] && [ "$v" -gt "$best_v" ]; then
      best="$home" best_v="$v"
    fi
  done
  set -f
  if [ -n "$best" ]; then
    JAVA_HOME="$best"
    export JAVA_HOME
    return 0
  fi
  echo "Atelier needs a JDK >= $atelier_min: set JAVA_HOME to one (found none under /usr/lib/jvm)." >&2
  return 1
}
atelier_select_jdk
# Maven 3.9's Guice warns about sun.misc.Unsafe on JDK 24+; the flag only exists there.
if [ -n "${JAVA_HOME-}" ]; then atelier_v="$(atelier_java_major "$JAVA_HOME/bin/java")"; else atelier_v="$(atelier_java_major java)"; fi
if [ -n "$atelier_v" ] && [ "$atelier_v" -ge 24 ]; then
  case "${MAVEN_OPTS-}" in *sun-misc-unsafe*) ;; *) MAVEN_OPTS="${MAVEN_OPTS-} --sun-misc-unsafe-memory-access=allow"; export MAVEN_OPTS ;; esac
fi
