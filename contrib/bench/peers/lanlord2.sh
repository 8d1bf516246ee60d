# lanlord with two DNS threads (SO_REUSEPORT sockets, shared cache).
LANLORD_THREADS=2
source "$(dirname "${BASH_SOURCE[0]}")/lanlord.sh"
