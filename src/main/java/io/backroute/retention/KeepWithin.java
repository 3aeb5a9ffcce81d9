package io.backroute.retention;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A calendar duration for keep-within, written like restic's {@code 1y2m3d4h} (years, months, days, hours).
 */
public record KeepWithin(int years, int months, int days, int hours) {

    private static final Pattern FORMAT = Pattern.compile("(?:\\d{1,7}[ymdh])+");
    private static final Pattern PART = Pattern.compile("(\\d{1,7})([ymdh])");

    public KeepWithin {
        if (years < 0 || months < 0 || days < 0 || hours < 0 || years + months + days + hours == 0) {
            throw new IllegalArgumentException("keep-within must be a positive duration");
        }
    }

    /** Parses {@code 30d}, {@code 12h}, {@code 1y2m}, {@code 1y2m3d4h}: units in any order, each at most once, like restic. */
    public static KeepWithin parse(String text) {
        String t = text == null ? "" : text.strip();
        if (!FORMAT.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 30d, 12h, 1y2m or 1y2m3d4h");
        }
        int[] values = new int[4];
        boolean[] seen = new boolean[4];
        Matcher m = PART.matcher(t);
        while (m.find()) {
            int unit = "ymdh".indexOf(m.group(2).charAt(0));
            if (seen[unit]) {
                throw new IllegalArgumentException("'" + text + "' gives the unit '" + m.group(2) + "' twice");
            }
            seen[unit] = true;
            values[unit] = Integer.parseInt(m.group(1));
        }
        return new KeepWithin(values[0], values[1], values[2], values[3]);
    }

    /**
     * The instant this duration before {@code reference}, calendar parts counted in {@code zone}. Java clamps
     * month ends (31 March minus 1m is 28 February) where Go overflows (3 March): we keep a little more, never less.
     */
    public Instant before(Instant reference, ZoneId zone) {
        return reference.atZone(zone).minus(Period.of(years, months, days)).toInstant().minus(Duration.ofHours(hours));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (years > 0) {
            s.append(years).append('y');
        }
        if (months > 0) {
            s.append(months).append('m');
        }
        if (days > 0) {
            s.append(days).append('d');
        }
        if (hours > 0) {
            s.append(hours).append('h');
        }
        return s.toString();
    }
}
