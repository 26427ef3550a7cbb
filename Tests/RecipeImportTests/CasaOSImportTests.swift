import Recipes
import RecipeImport
import Testing

@Suite("CasaOS apps")
struct CasaOSImportTests {
    @Test("an app with a database maps x-casaos exactly and makes its fixed database password a secret")
    func multiContainer() throws {
        let app = try Imported("casaos", "wallabag")
        #expect(app.result.store == .casaos)
        #expect(app.result.id == "wallabag")
        #expect(app.text("name") == "Wallabag")
        #expect(app.text("tagline") == "Save web pages to read them later.")
        #expect(app.text("description") == "wallabag saves the articles you want to read later, without the ads.")
        #expect(app.text("category") == "productivity")
        #expect(app.text("icon") == "https://cdn.jsdelivr.net/gh/IceWhaleTech/CasaOS-AppStore@main/Apps/Wallabag/icon.png")
        #expect(app.text("homepage") == "https://wallabag.org")
        #expect(app.text("source") == "https://github.com/wallabag/wallabag")
        #expect(app.text("version") == "2.6.9")
        #expect(app.texts("architectures") == ["amd64", "arm64", "armv7"])
        #expect(app.recipe.inputs == [RecipeInput(name: "WEB_PORT", type: .port, label: "Web UI port", defaultValue: "8085")])
        #expect(app.recipe.secrets == [RecipeSecret(name: "MYSQL_PASSWORD", length: 32, charset: .alphanumeric)])

        let web = app.service("wallabag")
        let db = app.service("wallabag-db")
        #expect(app.texts("\(web).ports") == ["${input.WEB_PORT}:80"])
        #expect(app.texts("\(web).volumes") == ["images:/var/www/wallabag/web/assets/images"])
        #expect(app.texts("\(db).volumes") == ["db:/var/lib/mysql"])
        #expect(app.keys("components.0.compose.volumes") == ["images", "db"])
        #expect(app.text("\(web).environment.SYMFONY__ENV__DATABASE_PASSWORD") == "${secret.MYSQL_PASSWORD}")
        #expect(app.text("\(db).environment.MYSQL_ROOT_PASSWORD") == "${secret.MYSQL_PASSWORD}")
        #expect(app.text("\(db).environment.MYSQL_PASSWORD") == "${secret.MYSQL_PASSWORD}")
        // The user name that happens to equal the old password stays.
        #expect(app.text("\(db).environment.MYSQL_USER") == "casaos")
        // The database's container name becomes its service name where the app uses it.
        #expect(app.text("\(web).environment.SYMFONY__ENV__DATABASE_HOST") == "wallabag-db")
        #expect(app.text("\(web).environment.SYMFONY__ENV__DATABASE_PORT") == "3306")
        #expect(app.text("\(web).environment.SYMFONY__ENV__DOMAIN_NAME") == "http://${deployment.name}.local:8085")
        #expect(app.text("\(web).environment.TZ") == "${deployment.timezone}")
        #expect(app.text("\(db).mem_limit") == "1024m")
        #expect(app.texts("\(db).healthcheck.test") == ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"])
        // Two reservations of 256M make the component's memory requirement.
        #expect(app.text("components.0.requirements.memory") == "512M")
        #expect(app.recipe.components[0].requirements.memoryBytes == 512 << 20)
        #expect(app.recipe.web == WebEntry(component: "app", service: "wallabag", port: "${input.WEB_PORT}", path: "/", scheme: "http"))
        #expect(app.recipe.notes == "Log in as wallabag with the password wallabag, then change it.\n")

        #expect(app.hasDropped("docker-compose.yml: services.wallabag.cpu_shares", saying: "mem_limit and cpus"))
        #expect(app.hasDropped("docker-compose.yml: services.wallabag.container_name", saying: "named per deployment"))
        #expect(app.hasDropped("docker-compose.yml: services.wallabag-db.container_name", saying: "wallabag-database now name the service wallabag-db"))
        #expect(app.hasDropped("docker-compose.yml: services.wallabag.x-casaos", saying: "envs, ports, volumes"))
        #expect(app.hasDropped("docker-compose.yml: services.wallabag-db.environment.MYSQL_ROOT_PASSWORD", saying: "generated secret MYSQL_PASSWORD"))
        #expect(app.hasDropped("docker-compose.yml: x-casaos.author, developer, screenshot_link, thumbnail", saying: "bookkeeping"))
    }

    @Test("an app on the host network opens on port_map, and storage folders outside its AppData stay bind mounts")
    func hostNetworking() throws {
        let app = try Imported("casaos", "homeassistant")
        let service = app.service("homeassistant")
        #expect(app.text("category") == "home-automation")
        #expect(app.text("version") == "2024.4.3")
        #expect(app.recipe.inputs.isEmpty)
        #expect(app.text("\(service).network_mode") == "host")
        #expect(app.node("\(service).ports") == nil)
        #expect(app.texts("\(service).volumes") == ["config:/config", "/DATA/Media:/media"])
        #expect(app.recipe.web == WebEntry(component: "app", port: "8123"))
        #expect(app.texts("architectures") == ["amd64", "arm64", "armv7"])
        #expect(app.hasDropped("docker-compose.yml: x-casaos.architectures", saying: "does not say"))
        #expect(app.hasDropped("docker-compose.yml: services.homeassistant.ports", saying: "network_mode host"))
        #expect(app.hasDropped("docker-compose.yml: services.homeassistant.volumes[1]", saying: "must exist on the device"))
        #expect(app.hasDropped("docker-compose.yml: x-casaos.pre-install-cmd", saying: "runs no scripts"))
    }

    @Test("a privileged app keeps its devices; $PUID and ${VAR:-x} defaults map to our variables and values")
    func privilegedWithDevicesAndDefaults() throws {
        let app = try Imported("casaos", "jellyfin")
        let service = app.service("jellyfin")
        #expect(app.text("\(service).privileged") == "true")
        #expect(app.texts("\(service).devices") == ["/dev/dri:/dev/dri"])
        #expect(app.text("\(service).network_mode") == "bridge")
        #expect(app.text("\(service).environment.PUID") == "${deployment.uid}")
        #expect(app.text("\(service).environment.PGID") == "${deployment.gid}")
        #expect(app.text("\(service).environment.JELLYFIN_PublishedServerUrl") == "http://casaos.local:8097")
        #expect(app.text("\(service).environment.DOCKER_MODS") == "")
        #expect(app.texts("\(service).ports") == ["${input.WEB_PORT}:8096", "8921:8920", "7359:7359/udp"])
        #expect(app.texts("\(service).volumes") == ["config:/config", "/DATA/Media:/Media"])
        #expect(app.recipe.inputs == [RecipeInput(name: "WEB_PORT", type: .port, label: "WebUI HTTP Port", defaultValue: "8097")])
        #expect(app.recipe.web == WebEntry(component: "app", port: "${input.WEB_PORT}", path: "/web"))
        #expect(app.texts("architectures") == ["amd64", "arm64"])
        #expect(app.hasDropped("docker-compose.yml: x-casaos.architectures", saying: "riscv64"))
        #expect(app.hasDropped("docker-compose.yml: services.jellyfin.environment.JELLYFIN_PublishedServerUrl", saying: "${PUBLISHED_URL:-http://casaos.local:8097}"))
        #expect(app.hasDropped("docker-compose.yml: services.jellyfin.hostname", saying: "host name"))
        #expect(app.hasDropped("docker-compose.yml: x-casaos.hostname", saying: "host name"))
    }

    @Test("a compose file that is not valid YAML is named with its line")
    func invalidYAML() throws {
        let error = try #require(Fixture.importError("casaos", "broken-yaml"))
        #expect(error.kind == .syntax)
        #expect(error.file.hasSuffix("casaos/broken-yaml/docker-compose.yml"))
        #expect(error.line == 8)
        #expect(error.message.hasPrefix("not valid YAML"))
    }

    @Test("a compose file with x-casaos but no app id is refused")
    func missingID() throws {
        let error = try #require(Fixture.importError("casaos", "no-id"))
        #expect(error.kind == .content)
        #expect(error.description.contains("casaos/no-id/docker-compose.yml"))
        #expect(error.message.contains("no app id"))
    }

    @Test("a plain compose file without x-casaos is none of the formats")
    func plainCompose() throws {
        let error = try #require(Fixture.importError("casaos", "plain-compose"))
        #expect(error.kind == .notAnApp)
        #expect(error.file.hasSuffix("casaos/plain-compose/docker-compose.yml"))
        #expect(error.message.contains("without a top-level x-casaos"))
    }
}
