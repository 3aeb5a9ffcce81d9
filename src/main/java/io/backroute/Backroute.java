package io.backroute;

import io.backroute.cli.BackrouteCli;

/** Entry point: {@code java -jar backroute.jar [command]}; without a command it runs the service. */
public final class Backroute {

    private Backroute() { }

    public static void main(String[] args) {
        System.exit(BackrouteCli.execute(args));
    }
}
