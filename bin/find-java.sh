# Sourced by ./indelible and .ci/run: exports JAVA_HOME pointing at a JDK >= 21 and sets
# INDELIBLE_JAVA_FEATURE to its feature release (21, 25, ...).
# Looks at JAVA_HOME first, then /usr/lib/jvm/*, newest first; fails with a clear message if none.
_indelible_java_version() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  echo "${v%%.*}"
}
_indelible_find_java() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    INDELIBLE_JAVA_FEATURE=$(_indelible_java_version "$JAVA_HOME")
    if [ "$INDELIBLE_JAVA_FEATURE" -ge 21 ] 2>/dev/null; then
      return 0
    fi
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -Vr); do
    candidate=${candidate%/}
    if [ -x "$candidate/bin/javac" ]; then
      INDELIBLE_JAVA_FEATURE=$(_indelible_java_version "$candidate")
      if [ "$INDELIBLE_JAVA_FEATURE" -ge 21 ] 2>/dev/null; then
        export JAVA_HOME="$candidate"
        return 0
      fi
    fi
  done
  echo "indelible: no JDK >= 21 found (checked JAVA_HOME and /usr/lib/jvm/*). Install JDK 21 or newer (we build with JDK 25) and set JAVA_HOME." >&2
  return 1
}
_indelible_find_java || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
