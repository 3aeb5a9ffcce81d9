package io.backroute.retention;

import io.backroute.catalog.ArtifactNames;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/** Test histories and the golden-file rendering of decisions. */
final class Histories {

    static final String JOB = "orders-db";

    private Histories() {
    }

    static Candidate candidate(Instant time, boolean good) {
        return candidate(JOB, time, good);
    }

    static Candidate candidate(String job, Instant time, boolean good) {
        return new Candidate(ArtifactNames.artifactKey(job, time, null, "sql", List.of("zst", "gpg")), job, time, good);
    }

    /** Two years of irregular backups, 2 to 14 hours apart, with a few multi-day outages; about 1 in 20 not good. */
    static List<Candidate> twoIrregularYears() {
        Random rnd = new Random(20240601L);
        List<Candidate> out = new ArrayList<>();
        Instant t = Instant.parse("2023-01-01T00:17:00Z");
        Instant end = Instant.parse("2025-01-01T00:00:00Z");
        while (t.isBefore(end)) {
            out.add(candidate(t, rnd.nextInt(20) != 0));
            t = t.plus(Duration.ofMinutes(120 + rnd.nextInt(12 * 60)));
            if (rnd.nextInt(250) == 0) {
                t = t.plus(Duration.ofDays(3 + rnd.nextInt(10)));
            }
        }
        return out;
    }

    /** One backup a day at {@code time} local in {@code zone}, from {@code first} to {@code last} inclusive. */
    static List<Candidate> daily(LocalDate first, LocalDate last, LocalTime time, ZoneId zone) {
        List<Candidate> out = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            out.add(candidate(d.atTime(time).atZone(zone).toInstant(), true));
        }
        return out;
    }

    /** One line per decision: {@code KEEP|REMOVE <time> <reasons>}. */
    static String render(List<Decision> decisions) {
        return decisions.stream()
                .map(d -> (d.keep() ? "KEEP   " : "REMOVE ") + d.c().time()
                        + (d.reasons().isEmpty() ? "" : " " + String.join(", ", d.reasons())))
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
