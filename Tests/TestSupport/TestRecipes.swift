import Foundation

/// Recipes the deployment tests deploy: busybox `httpd` (the fixture image, or the lab registry's), so no
/// public registry is needed.
public enum TestRecipes {
    /// One component serving `GREETING` on `WEB_PORT`, after `DELAY` seconds; `GREETING=crash` makes it exit 3.
    /// Health: the recipe's HTTP hint (busybox has no HEALTHCHECK), probed by the agent.
    public static let helloWeb = """
        id: hello-web
        name: Hello web
        tagline: A page served by busybox httpd, for the tests
        category: other
        version: "1.0"
        architectures: [amd64, arm64, armv7]
        inputs:
          - name: WEB_PORT
            type: port
            default: 18080
          - name: GREETING
            type: text
            default: hello
          - name: DELAY
            type: number
            default: 0
          - name: IMAGE
            type: text
            default: homelab-test/busybox:1
        secrets:
          - name: TOKEN
            length: 16
        components:
          - name: app
            requirements:
              memory: 16M
              storage: 1M
            compose:
              services:
                web:
                  image: ${input.IMAGE}
                  command: ["sh", "-c", "sleep ${input.DELAY}; [ ${input.GREETING} = crash ] && exit 3; echo serving ${input.GREETING}; mkdir -p /www && echo ${input.GREETING} > /www/index.html && exec httpd -f -p 8080 -h /www"]
                  ports: ["${input.WEB_PORT}:8080"]
                  volumes: ["data:/data"]
              volumes:
                data: {}
        web:
          port: ${input.WEB_PORT}
          path: /
        health:
          - component: app
            service: web
            http: {port: 8080, path: /}
        notes: |
          Your token is ${secret.TOKEN}.
        """

    /// Two components: `db` serves a line on its published `DB_PORT`; `web` fetches it from the address and
    /// port it was given (`${component.db.host}:${component.db.port}`) and serves it on `WEB_PORT`.
    public static let helloSplit = """
        id: hello-split
        name: Hello split
        tagline: A provider and a consumer on two devices, for the tests
        category: other
        version: "1.0"
        architectures: [amd64, arm64, armv7]
        inputs:
          - name: WEB_PORT
            type: port
            default: 18180
          - name: DB_PORT
            type: port
            default: 18181
          - name: IMAGE
            type: text
            default: homelab-test/busybox:1
        networking:
          auto_link: true
        components:
          - name: db
            port: ${input.DB_PORT}
            requirements:
              memory: 16M
            compose:
              services:
                store:
                  image: ${input.IMAGE}
                  command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
                  ports: ["${input.DB_PORT}:8080"]
          - name: web
            requirements:
              memory: 16M
            compose:
              services:
                front:
                  image: ${input.IMAGE}
                  command: ["sh", "-c", "mkdir -p /www; until wget -q -O /www/index.html http://${component.db.host}:${component.db.port}/; do sleep 1; done; exec httpd -f -p 8080 -h /www"]
                  ports: ["${input.WEB_PORT}:8080"]
        web:
          component: web
          port: ${input.WEB_PORT}
          path: /
        health:
          - component: web
            service: front
            http: {port: 8080, path: /}
          - component: db
            service: store
            tcp: 8080
        """

    /// A fresh catalog folder holding both recipes.
    /// One component whose busybox keeps files in two volumes, `data` and `config`, and stops at once on
    /// SIGTERM: what the backup tests and the backup bench back up (stop mode, the default).
    public static let backupFiles = """
        id: backup-files
        name: Backup files
        tagline: A busybox that keeps files in volumes, for the backup tests
        category: other
        version: "1.0"
        architectures: [amd64, arm64, armv7]
        components:
          - name: app
            compose:
              services:
                app:
                  image: homelab-test/busybox:1
                  command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                  volumes: ["data:/data", "config:/config"]
              volumes:
                data: {}
                config: {}
        """

    public static func catalog(in directory: URL) throws -> URL {
        let folder = directory.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try helloWeb.write(to: folder.appendingPathComponent("hello-web.yaml"), atomically: true, encoding: .utf8)
        try helloSplit.write(to: folder.appendingPathComponent("hello-split.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    /// One container that fills a tmpfs with `megabytes` of zeros and stays: page cache that is not inactive, so it counts
    /// against its container's (and its device's) memory. It reserves 16 MB, far less than it takes.
    public static func memoryHog(image: String, megabytes: Int) -> String {
        """
        id: memory-hog
        name: Memory hog
        tagline: Holds \(megabytes) MB of RAM, for the overload tests
        category: other
        version: "1"
        architectures: [amd64, arm64]
        components:
          - name: app
            requirements: {memory: 16M, storage: 1M}
            compose:
              services:
                hog:
                  image: \(image)
                  command: ["sh", "-c", "dd if=/dev/zero of=/hog/fill bs=1M count=\(megabytes) && exec sleep 3600"]
                  tmpfs: ["/hog:size=\(megabytes + 50)m"]
        """
    }
}
