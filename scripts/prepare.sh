# scripts/prepare.sh — sourced by scripts/run.sh (`make run`) and scripts/demo.sh (`make demo`):
# the embedded cluster under var/pg (unless DATABASE_URL is set), migrations, and a first admin
# when there is none (password printed once and saved 0600 in var/admin-password.txt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p var
if [[ -z "${DATABASE_URL:-}" ]]; then
  DATABASE_URL=$(scripts/pg.sh start "$PWD/var/pg")
  export DATABASE_URL
fi
build/herald migrate
admins=$(psql "$DATABASE_URL" -qtAc "SELECT count(*) FROM users WHERE role = 'admin'")
if [[ "$admins" == 0 ]]; then
  pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  echo "$pw" | build/herald user create admin --role admin
  (umask 077 && printf 'user: admin\npassword: %s\n' "$pw" > var/admin-password.txt)
  echo
  echo "  First admin created.  user: admin   password: $pw"
  echo "  (saved in var/admin-password.txt, readable by you only)"
  echo
fi
