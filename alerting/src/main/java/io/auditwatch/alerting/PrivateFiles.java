package io.auditwatch.alerting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The one way auditwatch creates what it keeps on disk (data directory, embedded broker directory,
 * spool segments and checkpoint, outbox, open-alert state, {@code .eml} copies): directories
 * {@code 0700}, files {@code 0600}, whatever the process umask. The mode is given to the
 * {@code mkdir}/{@code open} call itself, so no moment exists in which another user could open the
 * file; a umask can only remove bits, so {@code umask 000} still yields exactly these modes.
 * On a file system without POSIX permissions (Windows) the attributes are left out.
 *
 * <p>Audit records name users, hosts and commands, and alert mails name who is silent: nothing
 * there is for other local accounts (deploy/README.md, "Files and permissions").
 */
public final class PrivateFiles {
    private PrivateFiles() {
    }

    /** {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** The permissions group and others must not have on anything the service keeps. */
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** {@link Files#createDirectories} with every directory it creates {@code 0700}; existing ones are left as they are. */
    public static Path createDirectories(Path dir) throws IOException {
        return POSIX ? Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE))
                : Files.createDirectories(dir);
    }

    /** {@link FileChannel#open} with a file it creates {@code 0600}. */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, Set.of(options), fileAttributes());
    }

    /** A new empty {@code 0600} file in {@code dir} (for write-then-rename). */
    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        return Files.createTempFile(dir, prefix, suffix, fileAttributes());
    }

    private static FileAttribute<?>[] fileAttributes() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)} : new FileAttribute<?>[0];
    }

    /**
     * Directories and regular files under {@code root} (itself included) that grant group or others
     * any permission: what a start-up check reports. Symbolic links are not followed.
     *
     * @param descend false for a directory whose content the service does not create itself (the
     *     embedded broker's log directories): the directory is checked, its content is not
     * @return the loose paths, empty when {@code root} does not exist or permissions are not POSIX
     */
    public static List<Path> looser(Path root, Predicate<Path> descend) {
        List<Path> loose = new ArrayList<>();
        if (!POSIX || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return loose;
        }
        check(root, descend, loose);
        return loose;
    }

    private static void check(Path p, Predicate<Path> descend, List<Path> loose) {
        try {
            if (Files.isSymbolicLink(p)) {
                return;
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            if (mode.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                loose.add(p);
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && descend.test(p)) {
                try (Stream<Path> children = Files.list(p)) {
                    for (Path c : children.toList()) {
                        check(c, descend, loose);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the permissions of " + p, e);
        }
    }

    /** {@code rwx------}-style text of {@code p}'s mode, for messages; {@code ?} when unknown. */
    public static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }
}
