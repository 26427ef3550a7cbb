/// What the SSH bootstrap runs on a host: POSIX sh, so it works on any Linux with a shell.
/// Paths match `deploy/install-agent.sh`: the binary in /usr/local/bin, the config in /etc/homelab.
enum RemoteScripts {
    static let binary = "/usr/local/bin/homelab-agent"
    static let config = "/etc/homelab/agent.yaml"
    static let unit = "/etc/systemd/system/homelab-agent.service"
    static let initScript = "/etc/init.d/homelab-agent"

    /// Prints `key=value` lines: architecture, host name, uid, OS, systemd, Docker, an installed agent, sudo.
    static let detect = """
        echo "arch=$(uname -m)"
        echo "hostname=$(uname -n)"
        echo "uid=$(id -u)"
        if [ -r /etc/os-release ]; then (. /etc/os-release; echo "os_id=${ID:-}"; echo "os_name=${PRETTY_NAME:-}"); fi
        if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi
        if command -v docker >/dev/null 2>&1 || [ -S /var/run/docker.sock ]; then echo docker=yes; else echo docker=no; fi
        if [ -x /usr/local/bin/homelab-agent ]; then echo installed=yes; else echo installed=no; fi
        if command -v sudo >/dev/null 2>&1; then echo sudo=yes; else echo sudo=no; fi
        echo "restic=$(restic version 2>/dev/null | cut -d' ' -f2)"
        """

    /// Takes the binary on standard input into place beside the running one, and prints its SHA-256.
    static let upload = "umask 022 && mkdir -p /usr/local/bin && cat > /usr/local/bin/homelab-agent.new && chmod 0755 /usr/local/bin/homelab-agent.new && sha256sum /usr/local/bin/homelab-agent.new"

    /// Takes the config on standard input (mode 0600).
    static let writeConfig = "umask 077 && mkdir -p /etc/homelab && cat > /etc/homelab/agent.yaml.new && mv -f /etc/homelab/agent.yaml.new /etc/homelab/agent.yaml"

    /// Takes the systemd unit on standard input.
    static let writeUnit = "umask 022 && mkdir -p /etc/systemd/system && cat > /etc/systemd/system/homelab-agent.service && systemctl daemon-reload"

    /// Takes the init script on standard input; registers it for boot where update-rc.d exists.
    static let writeInitScript = "umask 022 && mkdir -p /etc/init.d && cat > /etc/init.d/homelab-agent && chmod 0755 /etc/init.d/homelab-agent && if command -v update-rc.d >/dev/null 2>&1; then update-rc.d homelab-agent defaults >/dev/null 2>&1 || true; fi"

    /// Puts the new binary in place and (re)starts the agent.
    static func start(systemd: Bool) -> String {
        let move = "mv -f /usr/local/bin/homelab-agent.new /usr/local/bin/homelab-agent"
        return systemd
            ? "\(move) && systemctl enable homelab-agent >/dev/null 2>&1 && systemctl restart homelab-agent"
            : "\(move) && /etc/init.d/homelab-agent restart"
    }

    /// The end of the agent's log.
    static func logTail(systemd: Bool) -> String {
        systemd ? "journalctl -u homelab-agent -n 8 --no-pager 2>&1" : "tail -n 8 /var/log/homelab-agent.log 2>&1"
    }

    /// Stops the agent and removes every file the bootstrap wrote, its state included.
    static let uninstall = """
        if [ -d /run/systemd/system ] && [ -f /etc/systemd/system/homelab-agent.service ]; then systemctl disable --now homelab-agent >/dev/null 2>&1 || true; fi
        if [ -x /etc/init.d/homelab-agent ]; then /etc/init.d/homelab-agent stop >/dev/null 2>&1 || true; fi
        if command -v update-rc.d >/dev/null 2>&1; then update-rc.d -f homelab-agent remove >/dev/null 2>&1 || true; fi
        rm -f /usr/local/bin/homelab-agent /usr/local/bin/homelab-agent.new /etc/homelab/agent.yaml /etc/homelab/agent.yaml.new \\
          /etc/systemd/system/homelab-agent.service /etc/init.d/homelab-agent /run/homelab-agent.pid /var/log/homelab-agent.log
        rmdir /etc/homelab 2>/dev/null || true
        rm -rf /var/lib/homelab-agent
        if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
        echo removed
        """

    /// Installs Docker from the distribution's own packages.
    static func installDocker(osID: String) -> String? {
        switch osID {
        case "debian", "ubuntu", "raspbian": "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io"
        case "fedora": "dnf install -y moby-engine && systemctl enable --now docker"
        case "alpine": "apk add docker && rc-update add docker default && service docker start"
        case "arch": "pacman -S --noconfirm docker && systemctl enable --now docker"
        default: nil
        }
    }

    /// Installs restic from the distribution's own packages (Debian 12 and Raspberry Pi OS ship 0.14,
    /// the oldest the agent works with); the package index is refreshed only when the first try fails.
    static func installRestic(osID: String) -> String? {
        switch osID {
        case "debian", "ubuntu", "raspbian":
            "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic)"
        case "fedora": "dnf install -y restic"
        case "alpine": "apk add restic"
        case "arch": "pacman -S --noconfirm restic"
        default: nil
        }
    }

    /// The systemd unit: the same text as deploy/systemd/homelab-agent.service (a test compares them).
    static let systemdUnit = #"""
# homelab agent: reports this device to the homelab controller and runs its apps through Docker.
# Install: the binary at /usr/local/bin/homelab-agent, settings in /etc/homelab/agent.yaml
# (a join token is enough: with no controller address the agent finds the controller by its
# multicast announcements), then `systemctl enable --now homelab-agent`. See deploy/README.md.
[Unit]
Description=homelab agent
Documentation=file:///usr/share/doc/homelab/configuration.md
Wants=network-online.target
After=network-online.target docker.service

[Service]
Type=exec
ExecStart=/usr/local/bin/homelab-agent --config /etc/homelab/agent.yaml
Restart=on-failure
RestartSec=5s
TimeoutStopSec=20s
StateDirectory=homelab-agent
StateDirectoryMode=0700
# The agent drives Docker through its socket, which makes it root on this device in effect; the
# rest of the system stays out of its reach. Moving volumes between devices (docs/migration.md)
# reads and writes Docker's volumes as files, with their owners, modes, set-id bits and file
# capabilities: hence the capabilities below and Docker's volumes among the writable paths (where
# Docker's data root is elsewhere, add it with a drop-in: ReadWritePaths=/srv/docker/volumes).
NoNewPrivileges=true
ProtectSystem=strict
# Backups: restores write into the engine's volumes; a backup target's folder (another one: a drop-in, docs/backups.md).
ReadWritePaths=-/run/docker.sock -/var/run/docker.sock -/var/lib/docker/volumes -/srv/homelab-backups
ProtectHome=true
PrivateTmp=true
PrivateDevices=true
ProtectKernelTunables=true
ProtectKernelModules=true
ProtectKernelLogs=true
ProtectControlGroups=true
ProtectClock=true
ProtectHostname=true
RestrictNamespaces=true
RestrictRealtime=true
LockPersonality=true
MemoryDenyWriteExecute=true
SystemCallArchitectures=native
# Unix for Docker, IPv4/IPv6 for the controller and multicast, netlink to list interfaces.
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
CapabilityBoundingSet=CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_SETFCAP
AmbientCapabilities=

[Install]
WantedBy=multi-user.target
"""#

    /// The fallback without systemd: a System V init script (start, stop, restart, status).
    static let initScriptText = #"""
#!/bin/sh
### BEGIN INIT INFO
# Provides:          homelab-agent
# Required-Start:    $network $remote_fs
# Required-Stop:     $network $remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: homelab agent
### END INIT INFO
# Written by the homelab controller's SSH bootstrap where systemd does not run (docs/bootstrap.md).
BIN=/usr/local/bin/homelab-agent
CONFIG=/etc/homelab/agent.yaml
PIDFILE=/run/homelab-agent.pid
LOG=/var/log/homelab-agent.log

running() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  if running; then echo "homelab-agent already running (pid $(cat "$PIDFILE"))"; return 0; fi
  mkdir -p /var/lib/homelab-agent && chmod 0700 /var/lib/homelab-agent
  setsid "$BIN" --config "$CONFIG" >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  sleep 1
  if ! running; then echo "homelab-agent exited at once; the end of $LOG:"; tail -n 5 "$LOG"; return 1; fi
  echo "homelab-agent started (pid $(cat "$PIDFILE"))"
}

stop() {
  if ! running; then rm -f "$PIDFILE"; return 0; fi
  pid=$(cat "$PIDFILE")
  kill -TERM "$pid"
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  rm -f "$PIDFILE"
  echo "homelab-agent stopped"
}

case "$1" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if running; then echo "running (pid $(cat "$PIDFILE"))"; else echo "stopped"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|restart|status" >&2; exit 64 ;;
esac
"""#

    /// `text` as one single-quoted shell word.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
