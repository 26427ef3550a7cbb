import Recipes
import RecipeImport
import Testing

@Suite("Umbrel apps")
struct UmbrelImportTests {
    @Test("an app with a database: app_proxy becomes the web entry, Umbrel's and exports.sh's values become secrets")
    func multiContainer() throws {
        let app = try Imported("umbrel", "paperless")
        #expect(app.result.store == .umbrel)
        #expect(app.result.id == "paperless")
        #expect(app.text("name") == "Paperless-ngx")
        #expect(app.text("tagline") == "Scan, index and archive your documents")
        #expect(app.text("category") == "files")
        #expect(app.text("version") == "2.7.2")
        #expect(app.text("homepage") == "https://docs.paperless-ngx.com")
        #expect(app.text("source") == "https://github.com/paperless-ngx/paperless-ngx")
        #expect(app.texts("architectures") == ["amd64", "arm64", "armv7"])
        #expect(app.keys("components.0.compose.services") == ["web", "db", "broker"])
        #expect(app.recipe.inputs == [RecipeInput(name: "WEB_PORT", type: .port, label: "Web port", defaultValue: "8017")])
        #expect(app.recipe.secrets == [RecipeSecret(name: "APP_PAPERLESS_DB_PASSWORD", length: 64, charset: .hex),
                                       RecipeSecret(name: "APP_SEED", length: 64, charset: .hex),
                                       RecipeSecret(name: "APP_PASSWORD", length: 32, charset: .alphanumeric)])

        let web = app.service("web")
        #expect(app.texts("\(web).ports") == ["${input.WEB_PORT}:8000"])
        #expect(app.text("\(web).environment.PAPERLESS_DBPASS") == "${secret.APP_PAPERLESS_DB_PASSWORD}")
        #expect(app.text("\(web).environment.PAPERLESS_SECRET_KEY") == "${secret.APP_SEED}")
        #expect(app.text("\(web).environment.PAPERLESS_ADMIN_PASSWORD") == "${secret.APP_PASSWORD}")
        #expect(app.text("\(app.service("db")).environment.POSTGRES_PASSWORD") == "${secret.APP_PAPERLESS_DB_PASSWORD}")
        // Umbrel's container names (paperless_db_1) become service names.
        #expect(app.text("\(web).environment.PAPERLESS_DBHOST") == "db")
        #expect(app.text("\(web).environment.PAPERLESS_REDIS") == "redis://broker:6379")
        // An exported constant equal to the manifest's port is the web port.
        #expect(app.text("\(web).environment.PAPERLESS_URL") == "http://${deployment.domain}:${input.WEB_PORT}")
        #expect(app.text("\(web).environment.PAPERLESS_ALLOWED_HOSTS") == "")
        #expect(app.texts("\(web).volumes") == ["paperless-data:/usr/src/paperless/data", "paperless-media:/usr/src/paperless/media",
                                                "documents:/usr/src/paperless/consume"])
        #expect(app.keys("components.0.compose.volumes") == ["paperless-data", "paperless-media", "documents", "db", "redis"])
        // YAML anchors and merge keys are applied to every service.
        for service in ["web", "db", "broker"] {
            #expect(app.text("\(app.service(service)).restart") == "on-failure")
            #expect(app.text("\(app.service(service)).logging.options.max-size") == "10m")
        }
        #expect(app.recipe.web == WebEntry(component: "app", service: "web", port: "${input.WEB_PORT}", path: "/", scheme: "http"))
        #expect(app.recipe.notes == "Log in as umbrel with the password ${secret.APP_PASSWORD}.")

        #expect(app.hasDropped("docker-compose.yml: services.app_proxy", saying: "became the web entry"))
        #expect(app.hasDropped("docker-compose.yml: services.app_proxy.environment.PROXY_AUTH_ADD", saying: "login"))
        #expect(app.hasDropped("exports.sh", saying: "1 line(s) of shell were not run"))
        #expect(app.hasDropped("hooks/pre-start", saying: "runs no scripts"))
        #expect(app.hasDropped("docker-compose.yml: services.web.environment.PAPERLESS_ALLOWED_HOSTS", saying: "shell commands"))
        #expect(app.hasDropped("docker-compose.yml: services.web.volumes[2]", saying: "named volume documents"))
        #expect(app.hasDropped("docker-compose.yml: x-logging", saying: "extension field"))
        #expect(app.hasDropped("umbrel-app.yml", saying: "does not say which architectures"))
    }

    @Test("an app on the host network opens on the manifest's port; an APP_HOST that names no service is noted")
    func hostNetworking() throws {
        let app = try Imported("umbrel", "home-assistant")
        let service = app.service("server")
        #expect(app.result.id == "home-assistant")
        #expect(app.text("category") == "home-automation")
        #expect(app.recipe.inputs.isEmpty)
        #expect(app.text("\(service).network_mode") == "host")
        #expect(app.text("\(service).privileged") == "true")
        #expect(app.node("\(service).ports") == nil)
        #expect(app.texts("\(service).volumes") == ["data:/config", "/run/dbus:/run/dbus:ro"])
        #expect(app.text("\(service).environment.TZ") == "${deployment.timezone}")
        #expect(app.recipe.web == WebEntry(component: "app", port: "8123"))
        #expect(app.recipe.notes == nil)
        #expect(app.hasDropped("docker-compose.yml: services.app_proxy.environment.APP_HOST", saying: "the web entry is the service server"))
        #expect(app.hasDropped("docker-compose.yml: services.server.stop_grace_period", saying: "stop settings"))
    }

    @Test("a privileged app keeps its devices; ${VAR:-x} defaults stand, a file mount and the app it depends on are noted")
    func privilegedWithDevicesAndDefaults() throws {
        let app = try Imported("umbrel", "frigate")
        let service = app.service("web")
        #expect(app.text("\(service).privileged") == "true")
        #expect(app.texts("\(service).devices") == ["/dev/bus/usb:/dev/bus/usb", "/dev/dri/renderD128"])
        #expect(app.texts("\(service).ports") == ["${input.WEB_PORT}:5000", "8554:8554", "8555:8555/udp"])
        #expect(app.input("WEB_PORT")?.defaultValue == "5010")
        #expect(app.text("\(service).environment.FRIGATE_MQTT_PORT") == "1883")
        #expect(app.text("\(service).environment.FRIGATE_MQTT_HOST") == "")
        // The default password every install shares became a secret.
        #expect(app.text("\(service).environment.FRIGATE_RTSP_PASSWORD") == "${secret.FRIGATE_RTSP_PASSWORD}")
        #expect(app.recipe.secrets == [RecipeSecret(name: "FRIGATE_RTSP_PASSWORD")])
        #expect(app.text("\(service).volumes.0") == "config:/config")
        #expect(app.text("\(service).volumes.1") == "frigate:/media/frigate")
        #expect(app.text("\(service).volumes.2.type") == "tmpfs")
        #expect(app.node("\(service).shm_size") == nil)
        #expect(app.hasDropped("docker-compose.yml: services.web.shm_size", saying: "/dev/shm"))
        #expect(app.hasDropped("docker-compose.yml: services.web.volumes[1]", saying: "single file"))
        #expect(app.hasDropped("docker-compose.yml: services.web.environment.FRIGATE_MQTT_HOST", saying: "${APP_MOSQUITTO_HOST}"))
        #expect(app.hasDropped("docker-compose.yml: services.web.environment.FRIGATE_RTSP_PASSWORD", saying: "its default \"umbrel\" was kept"))
        #expect(app.hasDropped("umbrel-app.yml: dependencies[0]", saying: "mosquitto"))
        #expect(app.hasDropped("umbrel-app.yml: permissions", saying: "by hand"))
    }

    @Test("a manifest without an id is refused, naming the file")
    func missingID() throws {
        let error = try #require(Fixture.importError("umbrel", "no-id"))
        #expect(error.kind == .content)
        #expect(error.file.hasSuffix("umbrel/no-id/umbrel-app.yml"))
        #expect(error.message.contains("has no \"id\""))
    }

    @Test("a compose file that is not valid YAML is named with its line")
    func invalidYAML() throws {
        let error = try #require(Fixture.importError("umbrel", "broken-compose"))
        #expect(error.kind == .syntax)
        #expect(error.file.hasSuffix("umbrel/broken-compose/docker-compose.yml"))
        #expect(error.line == 7)
        #expect(error.message.contains("quoted scalar"))
    }

    @Test("a manifest without its compose file is refused, naming the missing file")
    func missingCompose() throws {
        let error = try #require(Fixture.importError("umbrel", "no-compose"))
        #expect(error.kind == .missingFile)
        #expect(error.description == Fixture.path("umbrel", "no-compose") + "/docker-compose.yml: missing: an Umbrel app has docker-compose.yml beside umbrel-app.yml")
    }
}
