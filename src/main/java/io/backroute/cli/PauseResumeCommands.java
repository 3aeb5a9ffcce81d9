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
import io.backroute.catalog.RunStatus;
import io.backroute.pipeline.Units;
import java.time.Duration;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pause JOB} / {@code resume JOB} / {@code trigger JOB}: act on the RUNNING service through its remote JMX
 * (backroute.jmx.remote.*).
 */
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
            PrintWriter out = spec.commandLine().getOut();
            try (JMXConnector c = JMXConnectorFactory.connect(url, env)) {
                int code = act(c.getMBeanServerConnection(), name, out);
                out.flush();
                return code;
            } catch (InstanceNotFoundException e) {
                throw new BackrouteCli.UsageError("the running service has no job '" + job + "'");
            } catch (SecurityException e) {
                throw new IllegalStateException("JMX at " + host + ":" + port + " refused user '" + user + "': "
                        + e.getMessage() + " (check the password and that the access file grants readwrite)");
            } catch (IOException e) {
                throw new IllegalStateException("cannot reach the service's JMX at " + host + ":" + port
                        + " (is the service running?): " + e.getMessage());
            }
        }

        /** The command's work on the connected service; returns the exit code. */
        int act(MBeanServerConnection service, ObjectName name, PrintWriter out) throws Exception {
            out.println((String) service.invoke(name, operation(), null, null));
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

    /**
     * Starts a run inside the running service, which then runs it exactly like a scheduled one (its catalog,
     * alerts, metrics; no second process on the same data directory, no JVM start-up in the run), and waits for
     * it to end: the exit code is the run's, as with {@code run-now}.
     */
    @Command(name = "trigger", description = "Start a run of JOB in the running service (over JMX) and wait for it to end; "
            + "exit 0 SUCCESS, 3 PARTIAL, 1 FAILED (as run-now).")
    static final class Trigger extends JmxCommand {
        @Option(names = "--no-wait", description = "return once the service has accepted the run")
        boolean noWait;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "24h",
                description = "give up waiting after this long (e.g. 90m; default ${DEFAULT-VALUE}); the run itself goes on")
        String timeout;

        @Override String operation() { return "runNow"; }

        @Override
        int act(MBeanServerConnection service, ObjectName name, PrintWriter out) throws Exception {
            Duration limit;
            try {
                limit = Units.parseDuration(timeout);
            } catch (IllegalArgumentException e) {
                throw new BackrouteCli.UsageError("--timeout " + timeout + ": " + e.getMessage());
            }
            String before = (String) service.getAttribute(name, "LastRunId");
            String answer = (String) service.invoke(name, "runNow", null, null);
            if (!answer.endsWith(" started")) {
                out.println(answer);
                return ExitCodes.SKIPPED;
            }
            if (noWait) {
                out.println(answer);
                return ExitCodes.SUCCESS;
            }
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            boolean seenRunning = false;
            while (true) {
                boolean running = (Boolean) service.getAttribute(name, "Running");
                seenRunning |= running;
                String last = (String) service.getAttribute(name, "LastRunId");
                if (!running && !last.equals(before)) {
                    break;
                }
                if (!running && !seenRunning && System.nanoTime() - start > START_GRACE.toNanos()) {
                    throw new IllegalStateException("the service accepted a run of " + job + " but did not start it within "
                            + START_GRACE.toSeconds() + " s (see the service's log)");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("gave up waiting for the run of " + job + " after " + timeout
                            + "; it goes on in the service (see: backroute status)");
                }
                Thread.sleep(POLL.toMillis());
            }
            String runId = (String) service.getAttribute(name, "LastRunId");
            RunStatus status = RunStatus.valueOf((String) service.getAttribute(name, "LastRunStatus"));
            long millis = (Long) service.getAttribute(name, "LastDurationMillis");
            long stored = (Long) service.getAttribute(name, "LastStoredBytes");
            out.println(runId + ": " + status + " in " + millis + " ms, stored " + stored + " bytes");
            if (status != RunStatus.SUCCESS) {
                String why = (String) service.getAttribute(name, "LastFailureMessage");
                if (why != null && !why.isBlank()) {
                    out.println("  " + why);
                }
            }
            return ExitCodes.of(status);
        }
    }

    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration START_GRACE = Duration.ofSeconds(30);
}
