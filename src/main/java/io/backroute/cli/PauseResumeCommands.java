package io.backroute.cli;

import io.backroute.management.JobManagement;
import io.backroute.management.RemoteJmx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import javax.management.InstanceNotFoundException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pause JOB} / {@code resume JOB}: act on the RUNNING service through its remote JMX (backroute.jmx.remote.*). */
final class PauseResumeCommands {

    private PauseResumeCommands() { }

    /** Environment variable holding the JMX password when --password-file is not given. */
    static final String PASSWORD_ENV = "BACKROUTE_JMX_PASSWORD";

    abstract static class JmxCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackrouteCli parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "JOB", description = "job id")
        String job;

        @Option(names = "--user", defaultValue = "${env:BACKROUTE_JMX_USER:-ops}",
                description = "JMX user with readwrite access (default: env BACKROUTE_JMX_USER or ${DEFAULT-VALUE})")
        String user;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "file holding the JMX password (default: env " + PASSWORD_ENV + ")")
        Path passwordFile;

        abstract String operation();

        @Override
        public Integer call() throws Exception {
            Properties config = new Properties();
            Path file = parent.configFile();
            try (InputStream in = Files.newInputStream(file)) {
                config.load(in);
            } catch (IOException e) {
                throw new BackrouteCli.UsageError("cannot read configuration " + file + ": " + e.getMessage());
            }
            String port = config.getProperty(RemoteJmx.PORT, "").trim();
            if (port.isEmpty()) {
                throw new BackrouteCli.UsageError(operation() + " acts on the running service over JMX, and its remote JMX is off: set "
                        + RemoteJmx.PORT + ", " + RemoteJmx.PASSWORD_FILE + " and " + RemoteJmx.ACCESS_FILE + " in " + file
                        + " and restart the service (docs/operations.md, \"Remote JMX\")");
            }
            String host = config.getProperty(RemoteJmx.HOST, "127.0.0.1").trim();
            String password = password();
            Map<String, Object> env = new HashMap<>();
            env.put(JMXConnector.CREDENTIALS, new String[] {user, password});
            if (Boolean.parseBoolean(config.getProperty(RemoteJmx.SSL, "false").trim())) {
                env.put("com.sun.jndi.rmi.factory.socket", new javax.rmi.ssl.SslRMIClientSocketFactory());
            }
            var url = RemoteJmx.url(host, Integer.parseInt(port));
            ObjectName name = JobManagement.name(job);
            String answer;
            try (JMXConnector c = JMXConnectorFactory.connect(url, env)) {
                answer = (String) c.getMBeanServerConnection().invoke(name, operation(), null, null);
            } catch (InstanceNotFoundException e) {
                throw new BackrouteCli.UsageError("the running service has no job '" + job + "'");
            } catch (SecurityException e) {
                throw new IllegalStateException("JMX at " + host + ":" + port + " refused user '" + user + "': "
                        + e.getMessage() + " (check the password and that the access file grants readwrite)");
            } catch (IOException e) {
                throw new IllegalStateException("cannot reach the service's JMX at " + host + ":" + port
                        + " (is the service running?): " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(answer);
            out.flush();
            return ExitCodes.SUCCESS;
        }

        private String password() throws IOException {
            if (passwordFile != null) {
                return io.backroute.config.SecretFiles.read(passwordFile).strip();
            }
            String p = System.getenv(PASSWORD_ENV);
            if (p == null || p.isEmpty()) {
                throw new BackrouteCli.UsageError("no JMX password: pass --password-file FILE or set " + PASSWORD_ENV);
            }
            return p;
        }
    }

    @Command(name = "pause", description = "Pause a job's trigger in the running service (over JMX); kept across restarts.")
    static final class Pause extends JmxCommand {
        @Override String operation() { return "pause"; }
    }

    @Command(name = "resume", description = "Resume a paused job's trigger in the running service (over JMX).")
    static final class Resume extends JmxCommand {
        @Override String operation() { return "resume"; }
    }
}
