package io.backroute;

public final class Backroute {
    public static void main(String[] args) { }
}
