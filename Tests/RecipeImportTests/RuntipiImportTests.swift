import Recipes
import RecipeImport
import Testing

@Suite("Runtipi apps")
struct RuntipiImportTests {
    @Test("a dynamic-compose app with a database maps its metadata, form fields and random fields exactly")
    func multiContainerMetadataAndInputs() throws {
        let app = try Imported("runtipi", "miniflux")
        #expect(app.result.store == .runtipi)
        #expect(app.result.id == "miniflux")
        #expect(app.text("name") == "Miniflux")
        #expect(app.text("tagline") == "A minimalist and opinionated feed reader.")
        #expect(app.text("description")?.hasPrefix("## Miniflux\n\nMiniflux is a minimalist") == true)
        #expect(app.text("category") == "files")
        #expect(app.text("homepage") == "https://miniflux.app")
        #expect(app.text("source") == "https://github.com/miniflux/v2")
        #expect(app.text("version") == "2.1.3")
        #expect(app.recipe.version == "2.1.3")
        #expect(app.texts("architectures") == ["amd64", "arm64"])

        #expect(app.recipe.inputs.map(\.name) == ["WEB_PORT", "MINIFLUX_ADMIN_USERNAME", "MINIFLUX_ADMIN_PASSWORD",
                                                  "MINIFLUX_POLLING_FREQUENCY", "MINIFLUX_PROXY_HOST"])
        #expect(app.input("WEB_PORT") == RecipeInput(name: "WEB_PORT", type: .port, label: "Web port", defaultValue: "8116"))
        #expect(app.input("MINIFLUX_ADMIN_USERNAME") == RecipeInput(name: "MINIFLUX_ADMIN_USERNAME", type: .text, label: "Admin username",
                                                                    required: true, regex: "^[\\s\\S]{3,30}$"))
        #expect(app.input("MINIFLUX_ADMIN_PASSWORD")?.type == .password)
        #expect(app.input("MINIFLUX_ADMIN_PASSWORD")?.regex == "^[\\s\\S]{8,}$")
        #expect(app.input("MINIFLUX_POLLING_FREQUENCY") == RecipeInput(name: "MINIFLUX_POLLING_FREQUENCY", type: .number,
                                                                       label: "Polling frequency (minutes)", defaultValue: "60", min: 5, max: 1440))
        #expect(app.input("MINIFLUX_PROXY_HOST") == RecipeInput(name: "MINIFLUX_PROXY_HOST", type: .text, label: "Proxy host", hint: "e.g. proxy.lan"))
        // Runtipi's random fields are generated at install and never asked: secrets.
        #expect(app.recipe.secrets == [RecipeSecret(name: "MINIFLUX_DB_PASSWORD", length: 40, charset: .alphanumeric),
                                       RecipeSecret(name: "MINIFLUX_SESSION_KEY", length: 32, charset: .hex)])
    }

    @Test("a dynamic-compose app's services, variables, volumes and web entry are converted exactly")
    func multiContainerServices() throws {
        let app = try Imported("runtipi", "miniflux")
        let web = app.service("miniflux")
        let db = app.service("miniflux-db")
        #expect(app.keys("components.0.compose.services") == ["miniflux", "miniflux-db"])
        #expect(app.text("\(web).image") == "miniflux/miniflux:2.1.3")
        #expect(app.text("\(web).restart") == "unless-stopped")
        #expect(app.texts("\(web).ports") == ["${input.WEB_PORT}:8080"])
        #expect(app.text("\(web).environment.DATABASE_URL") == "postgres://miniflux:${secret.MINIFLUX_DB_PASSWORD}@miniflux-db/miniflux?sslmode=disable")
        #expect(app.text("\(web).environment.RUN_MIGRATIONS") == "1")
        #expect(app.text("\(web).environment.ADMIN_USERNAME") == "${input.MINIFLUX_ADMIN_USERNAME}")
        #expect(app.text("\(web).environment.BASE_URL") == "http://${deployment.domain}")
        #expect(app.text("\(web).environment.LOG_LEVEL") == "info")
        #expect(app.text("\(web).environment.CSRF_KEY") == "${secret.MINIFLUX_SESSION_KEY}")
        #expect(app.text("\(web).depends_on.miniflux-db.condition") == "service_healthy")
        #expect(app.text("\(web).healthcheck.test") == "/usr/bin/miniflux -healthcheck auto")
        #expect(app.keys("\(web).healthcheck") == ["test", "interval", "timeout", "retries"])
        #expect(app.text("\(db).environment.POSTGRES_PASSWORD") == "${secret.MINIFLUX_DB_PASSWORD}")
        #expect(app.texts("\(db).volumes") == ["postgres:/var/lib/postgresql/data"])
        #expect(app.keys("components.0.compose.volumes") == ["postgres"])
        #expect(app.recipe.web == WebEntry(component: "app", service: "miniflux", port: "${input.WEB_PORT}", path: "/", scheme: "http"))
    }

    @Test("what a dynamic-compose app cannot carry is noted where it stood")
    func multiContainerDropped() throws {
        let app = try Imported("runtipi", "miniflux")
        #expect(app.hasDropped("docker-compose.json: services.miniflux.hostname", saying: "host name"))
        #expect(app.hasDropped("docker-compose.json: services.miniflux.extra_hosts", saying: "/etc/hosts"))
        #expect(app.hasDropped("docker-compose.json: services.miniflux-db.shm_size", saying: "/dev/shm"))
        #expect(app.hasDropped("docker-compose.json: services.miniflux.healthcheck.start_interval", saying: "start_interval"))
        #expect(app.hasDropped("docker-compose.json: overrides", saying: "per-architecture"))
        #expect(app.hasDropped("docker-compose.yml", saying: "not read"))
        #expect(app.hasDropped("docker-compose.json: services.miniflux.environment.BASE_URL", saying: "${APP_PROTOCOL:-http}"))
        #expect(app.hasDropped("docker-compose.json: services.miniflux.environment.LOG_LEVEL", saying: "its default \"info\" was kept"))
        #expect(app.hasDropped("config.json: categories", saying: "utilities"))
        #expect(app.hasDropped("config.json: form_fields[5].type", saying: "fqdnip"))
        #expect(app.hasDropped("config.json: author", saying: "packaged"))
        #expect(app.hasDropped("config.json: $schema, available, tipi_version, created_at, updated_at", saying: "bookkeeping"))
    }

    @Test("the older plain compose form: ${APP_PORT} is the web port input, Traefik labels and Runtipi's network go")
    func plainCompose() throws {
        let app = try Imported("runtipi", "it-tools")
        let service = app.service("it-tools")
        #expect(app.text("category") == "development")
        #expect(app.texts("architectures") == ["amd64", "arm64", "armv7"])
        #expect(app.recipe.inputs == [RecipeInput(name: "WEB_PORT", type: .port, label: "Web port", defaultValue: "8317")])
        #expect(app.keys(service) == ["image", "restart", "ports"])
        #expect(app.texts("\(service).ports") == ["${input.WEB_PORT}:80"])
        #expect(app.node("components.0.compose.networks") == nil)
        #expect(app.recipe.web == WebEntry(component: "app", port: "${input.WEB_PORT}", path: "/tools"))
        #expect(app.hasDropped("docker-compose.yml: services.it-tools.networks", saying: "tipi_main_network"))
        #expect(app.hasDropped("docker-compose.yml: services.it-tools.labels", saying: "(4 in all)"))
    }

    @Test("an app on the host network keeps the container's own port as its web port and publishes nothing")
    func hostNetworking() throws {
        let app = try Imported("runtipi", "homeassistant")
        let service = app.service("homeassistant")
        #expect(app.text("category") == "home-automation")
        #expect(app.recipe.inputs.isEmpty)
        #expect(app.text("\(service).network_mode") == "host")
        #expect(app.text("\(service).privileged") == "true")
        #expect(app.node("\(service).ports") == nil)
        #expect(app.node("\(service).networks") == nil)
        #expect(app.node("\(service).labels") == nil)
        #expect(app.texts("\(service).volumes") == ["config:/config", "/etc/localtime:/etc/localtime:ro", "/run/dbus:/run/dbus:ro"])
        #expect(app.text("\(service).environment.TZ") == "${deployment.timezone}")
        #expect(app.recipe.web == WebEntry(component: "app", port: "8123"))
        #expect(app.hasDropped("docker-compose.yml: services.homeassistant.ports", saying: "network_mode host"))
        #expect(app.hasDropped("docker-compose.yml: services.homeassistant.container_name", saying: "named per deployment"))
        #expect(app.hasDropped("docker-compose.yml: services.homeassistant.labels", saying: "traefik.enable"))
        #expect(app.hasDropped("docker-compose.yml: networks.tipi_main_network", saying: "shared by all its apps"))
    }

    @Test("a privileged app keeps its devices, and ${VAR:-x} gives a form field's input its default")
    func privilegedWithDevicesAndDefaults() throws {
        let app = try Imported("runtipi", "zigbee2mqtt")
        let service = app.service("zigbee2mqtt")
        #expect(app.text("\(service).privileged") == "true")
        #expect(app.texts("\(service).devices") == ["${input.ZIGBEE2MQTT_ADAPTER}:/dev/ttyACM0"])
        #expect(app.input("ZIGBEE2MQTT_ADAPTER") == RecipeInput(name: "ZIGBEE2MQTT_ADAPTER", type: .text, label: "Zigbee adapter",
                                                                hint: "The serial device of your Zigbee USB stick", required: true,
                                                                defaultValue: "/dev/ttyACM0"))
        #expect(app.input("ZIGBEE2MQTT_PERMIT_JOIN") == RecipeInput(name: "ZIGBEE2MQTT_PERMIT_JOIN", type: .boolean,
                                                                    label: "Let new devices join", defaultValue: "false"))
        #expect(app.input("ZIGBEE2MQTT_LOG_LEVEL")?.type == .select)
        #expect(app.input("ZIGBEE2MQTT_LOG_LEVEL")?.options == ["info", "debug"])
        #expect(app.text("\(service).environment.ZIGBEE2MQTT_CONFIG_PERMIT_JOIN") == "${input.ZIGBEE2MQTT_PERMIT_JOIN}")
        #expect(app.text("\(service).environment.ZIGBEE2MQTT_CONFIG_MQTT_SERVER") == "mqtt://localhost:1883")
        #expect(app.text("\(service).environment.ZIGBEE2MQTT_CONFIG_FRONTEND_PORT") == "8080")
        // x-runtipi's internal_port becomes the published web port.
        #expect(app.texts("\(service).ports") == ["${input.WEB_PORT}:8080"])
        #expect(app.input("WEB_PORT")?.defaultValue == "8140")
        #expect(app.texts("\(service).volumes") == ["data:/app/data", "/run/udev:/run/udev:ro"])
        #expect(app.node("\(service).x-runtipi") == nil)
        // No supported_architectures: all three, and a note saying the store did not say.
        #expect(app.texts("architectures") == ["amd64", "arm64", "armv7"])
        #expect(app.hasDropped("config.json: supported_architectures", saying: "does not say"))
        #expect(app.hasDropped("docker-compose.yml: services.zigbee2mqtt.shm_size", saying: "/dev/shm"))
        #expect(app.hasDropped("docker-compose.yml: services.zigbee2mqtt.environment.ZIGBEE2MQTT_CONFIG_MQTT_SERVER",
                               saying: "${ZIGBEE2MQTT_MQTT_SERVER:-mqtt://localhost:1883}"))
        #expect(app.hasDropped("docker-compose.yml: x-runtipi.overrides", saying: "per-architecture"))
        #expect(app.hasDropped("docker-compose.yml: services.zigbee2mqtt.x-runtipi.add_to_main_network", saying: "shared across apps"))
        #expect(app.hasDropped("config.json: uid", saying: "data folder"))
        #expect(app.hasDropped("config.json: categories", saying: "featured"))
    }

    @Test("a compose file that is not valid YAML is named with its line")
    func invalidYAML() throws {
        let error = try #require(Fixture.importError("runtipi", "broken-compose"))
        #expect(error.kind == .syntax)
        #expect(error.file == Fixture.path("runtipi", "broken-compose") + "/docker-compose.yml")
        #expect(error.line == 6)
        #expect(error.description.hasPrefix(Fixture.path("runtipi", "broken-compose") + "/docker-compose.yml:6:"))
        #expect(error.description.contains("not valid YAML"))
    }

    @Test("a config.json without an id is refused, naming the file")
    func missingID() throws {
        let error = try #require(Fixture.importError("runtipi", "no-id"))
        #expect(error.kind == .content)
        #expect(error.file.hasSuffix("runtipi/no-id/config.json"))
        #expect(error.description.contains("has no \"id\""))
    }

    @Test("a config.json that is not valid JSON is named with its line")
    func invalidJSON() throws {
        let error = try #require(Fixture.importError("runtipi", "bad-json"))
        #expect(error.kind == .syntax)
        #expect(error.file.hasSuffix("runtipi/bad-json/config.json"))
        #expect(error.line == 6)
        #expect(error.message.hasPrefix("not valid JSON"))
    }
}
