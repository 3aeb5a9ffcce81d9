package io.backroute.store;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.mserref.NtStatus;
import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.msfscc.fileinformation.FileIdBothDirectoryInformation;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.smbj.SMBClient;
import com.hierynomus.smbj.SmbConfig;
import com.hierynomus.smbj.auth.AuthenticationContext;
import com.hierynomus.smbj.connection.Connection;
import com.hierynomus.smbj.session.Session;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.File;
import com.hierynomus.smbj.share.Share;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;

/**
 * SMB (Windows share, Samba, NAS) destination: uploads through camel-smb to a {@code .part} name renamed on
 * completion; lists, reads, deletes and sweeps with smbj.
 * <p>
 * Options ({@code backroute.destinations.<name>.<option>}): {@code host} (required); {@code port} (default 445);
 * {@code share} (required, the share name); {@code path} (existing directory inside the share, default its root);
 * {@code username} (required); {@code password} (required, secret); {@code domain} (default none);
 * {@code socketTimeout} (ms, default 30000: how long one SMB request may wait for the server).
 */
public class SmbDestination extends RemoteDestination {

    private static final Set<NtStatus> PERMANENT = Set.of(NtStatus.STATUS_LOGON_FAILURE, NtStatus.STATUS_ACCESS_DENIED,
            NtStatus.STATUS_BAD_NETWORK_NAME, NtStatus.STATUS_OBJECT_PATH_NOT_FOUND, NtStatus.STATUS_OBJECT_NAME_NOT_FOUND,
            NtStatus.STATUS_ACCOUNT_DISABLED, NtStatus.STATUS_PASSWORD_EXPIRED,
            NtStatus.STATUS_DISK_FULL);

    private final String host;
    private final int port;
    private final String shareName;
    private final String root;
    private final String username;
    private final String password;
    private final String domain;
    private final SMBClient client;
    private final String configRef;
    private final CamelContext camel;
    private static final java.util.concurrent.atomic.AtomicLong INSTANCES = new java.util.concurrent.atomic.AtomicLong();

    public SmbDestination(String name, Map<String, String> options, CamelContext camel) {
        super(name, camel);
        this.host = options.get("host").strip();
        this.port = Keys.port(options, 445);
        this.shareName = options.get("share").strip();
        this.root = Keys.dir(Keys.opt(options, "path", ""));
        this.username = options.get("username").strip();
        this.password = options.get("password");
        this.domain = Keys.opt(options, "domain", null);
        long timeout = Long.parseLong(Keys.opt(options, "socketTimeout", "30000"));
        // sockets a delivery timeout can abort (Transfers), for our client and camel-smb's alike
        SmbConfig config = SmbConfig.builder().withTimeout(timeout, TimeUnit.MILLISECONDS)
                .withSoTimeout(timeout, TimeUnit.MILLISECONDS).withSocketFactory(Transfers.socketFactory())
                .withSecurityProvider(new SmbSigning()).withWriteBufferSize(8 << 20).build();
        this.client = new SMBClient(config);
        this.configRef = "backroute-smb-" + name + "-" + INSTANCES.incrementAndGet();
        this.camel = camel;
        camel.getRegistry().bind(configRef, SmbConfig.class, config);
        secret(password);
    }

    @Override public String kind() { return "smb"; }

    @Override
    public String location() {
        return "smb://" + username + "@" + host + ":" + port + "/" + Keys.join(shareName, root);
    }

    private String remote(String relative) {
        return Keys.join(root, relative).replace('/', '\\');
    }

    @Override
    protected String uploadUri(String key, long size) {
        // camel-smb 4.17: tempFileName needs fileExist=TryRename (the default NPEs before connect); we check
        // existence ourselves before the upload, and a rename onto an existing name fails rather than overwrites
        return "smb:" + host + ":" + port + "/" + Keys.join(shareName, root, Keys.parent(key))
                + "?username=" + username + (domain == null ? "" : "&domain=" + domain)
                + "&password=RAW(" + password + ")"
                + "&tempFileName=${file:onlyname}" + TEMP_SUFFIX + "&fileExist=TryRename&bufferSize=8388608&disconnect=true"
                + "&smbConfig=#" + configRef;
    }

    private final class Smb implements AutoCloseable {
        final Connection connection;
        final DiskShare share;

        Smb(String what) {
            Connection c = null;
            try {
                c = client.connect(host, port);
                Session session = c.authenticate(new AuthenticationContext(username,
                        password == null ? new char[0] : password.toCharArray(), domain));
                Share s = session.connectShare(shareName);
                if (!(s instanceof DiskShare d)) {
                    s.close();
                    throw new DestinationException(name, "share " + shareName + " is not a disk share", true, null);
                }
                connection = c;
                share = d;
            } catch (IOException | RuntimeException e) {
                if (c != null) {
                    try {
                        c.close(true);
                    } catch (IOException ignored) {
                        // already failing
                    }
                }
                if (e instanceof SMBApiException api && api.getStatus() == NtStatus.STATUS_BAD_NETWORK_NAME) {
                    throw new DestinationException(name, what + ": share " + shareName + " does not exist", true, null);
                }
                throw translate(what, e);
            }
        }

        @Override
        public void close() {
            try {
                share.close();
                connection.close(true);
            } catch (IOException ignored) {
                // the server closes its side too
            }
        }
    }

    @FunctionalInterface
    private interface SmbCall<T> {
        T call(DiskShare share);
    }

    private <T> T with(String what, SmbCall<T> call) {
        try (Smb s = new Smb(what)) {
            return call.call(s.share);
        } catch (DestinationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw translate(what, e);
        }
    }

    @Override
    protected void checkRoot() {
        with("check share " + shareName, s -> {
            if (!root.isEmpty() && !s.folderExists(remote(""))) {
                throw new DestinationException(name, "directory " + root + " does not exist in share " + shareName, true, null);
            }
            return null;
        });
    }

    @Override
    protected void cleanupFailedPut(String key) {
        delete(key + TEMP_SUFFIX);
    }

    @Override
    protected boolean isPermanent(Throwable t) {
        SMBApiException api = find(t, SMBApiException.class);
        if (api != null && PERMANENT.contains(api.getStatus())) {
            return true;
        }
        return anyMessage(t, "STATUS_LOGON_FAILURE", "STATUS_ACCESS_DENIED", "STATUS_BAD_NETWORK_NAME",
                "STATUS_OBJECT_PATH_NOT_FOUND");
    }

    @Override
    public OptionalLong stat(String key) {
        Keys.check(name, key);
        return with("stat " + key, s -> {
            String p = remote(key);
            if (!s.fileExists(p)) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(s.getFileInformation(p).getStandardInformation().getEndOfFile());
        });
    }

    private static boolean isDir(FileIdBothDirectoryInformation f) {
        return (f.getFileAttributes() & FileAttributes.FILE_ATTRIBUTE_DIRECTORY.getValue()) != 0;
    }

    private void walk(DiskShare s, String dir, List<Map.Entry<String, FileIdBothDirectoryInformation>> out) {
        if (!dir.isEmpty() && !s.folderExists(remote(dir)) || dir.isEmpty() && !root.isEmpty() && !s.folderExists(remote(""))) {
            return;
        }
        for (FileIdBothDirectoryInformation f : s.list(remote(dir))) {
            String n = f.getFileName();
            if (n.equals(".") || n.equals("..")) {
                continue;
            }
            String child = Keys.join(dir, n);
            if (isDir(f)) {
                walk(s, child, out);
            } else {
                out.add(Map.entry(child, f));
            }
        }
    }

    @Override
    public List<String> list(String prefix) {
        String dir = Keys.dir(prefix);
        return with("list " + prefix, s -> {
            List<Map.Entry<String, FileIdBothDirectoryInformation>> files = new ArrayList<>();
            walk(s, dir, files);
            return files.stream().map(Map.Entry::getKey).filter(k -> !k.endsWith(TEMP_SUFFIX)).sorted().toList();
        });
    }

    @Override
    public InputStream open(String key) {
        Keys.check(name, key);
        Smb smb = new Smb("open " + key);
        try {
            File f = smb.share.openFile(remote(key), EnumSet.of(AccessMask.GENERIC_READ), null, SMB2ShareAccess.ALL,
                    SMB2CreateDisposition.FILE_OPEN, null);
            return new CloseOnceInputStream(f.getInputStream(), f::close, smb::close);
        } catch (RuntimeException e) {
            smb.close();
            throw translate("open " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        Keys.check(name, key);
        with("delete " + key, s -> {
            try {
                s.rm(remote(key));
            } catch (SMBApiException e) {
                if (e.getStatus() != NtStatus.STATUS_OBJECT_NAME_NOT_FOUND && e.getStatus() != NtStatus.STATUS_OBJECT_PATH_NOT_FOUND) {
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public List<String> sweepTemp(String prefix, Duration grace) {
        String dir = Keys.dir(prefix);
        Instant cutoff = Instant.now().minus(grace);
        return with("sweep " + prefix, s -> {
            List<Map.Entry<String, FileIdBothDirectoryInformation>> files = new ArrayList<>();
            walk(s, dir, files);
            List<String> removed = new ArrayList<>();
            for (Map.Entry<String, FileIdBothDirectoryInformation> e : files) {
                if (e.getKey().endsWith(TEMP_SUFFIX) && e.getValue().getLastWriteTime().toInstant().isBefore(cutoff)) {
                    s.rm(remote(e.getKey()));
                    removed.add(e.getKey());
                }
            }
            return removed;
        });
    }

    @Override
    public void close() {
        super.close();
        client.close();
        camel.getRegistry().unbind(configRef);
    }

    /** Provider for {@code kind=smb}; see {@link SmbDestination} for the options. */
    public static class Provider implements DestinationProvider {
        @Override public String kind() { return "smb"; }

        @Override
        public void validate(String name, Map<String, String> options, List<String> problems) {
            Keys.require(name, options, "host", "set the SMB server host name", problems);
            Keys.require(name, options, "share", "set the share name (without slashes)", problems);
            Keys.require(name, options, "username", "set the SMB user", problems);
            Keys.require(name, options, "password", "set the SMB password (from {{env:...}} or a file)", problems);
            Keys.port(name, options, problems);
            String st = options.get("socketTimeout");
            if (st != null && !st.isBlank() && !st.strip().matches("\\d{1,9}")) {
                problems.add(Keys.key(name, "socketTimeout") + ": " + st + " is not a number of milliseconds");
            }
            String share = options.get("share");
            if (share != null && (share.contains("/") || share.contains("\\"))) {
                problems.add(Keys.key(name, "share") + ": " + share + " must be a share name only; put directories in path");
            }
        }

        @Override
        public Destination create(String name, Map<String, String> options, CamelContext camel) {
            return new SmbDestination(name, options, camel);
        }
    }
}
