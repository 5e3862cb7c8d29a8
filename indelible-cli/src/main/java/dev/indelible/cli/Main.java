package dev.indelible.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code indelible} command. Every subcommand has {@code --help}; failures print one line
 * saying why and exit non-zero.
 */
@Command(
        name = "indelible",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Tamper-evident, append-only audit log server and tools.",
        subcommands = {
            ServerCommand.class,
            KeysCommand.class,
            TokenCommand.class,
            BenchCommand.class,
            AppendCommand.class,
            GetCommand.class,
            ProofCommand.class,
            VerifyCommand.class,
            VerifyProofCommand.class,
            FsckCommand.class,
            ClusterCommand.class,
            AotCacheCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (shared by tests). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("indelible " + commandLine.getCommandName() + ": " + oneLine(e));
            return 1;
        });
        // Usage errors: one line saying what is wrong and where help is, exit status 2.
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            String command = failed.getCommandSpec().qualifiedName();
            failed.getErr().println(command + ": " + oneLine(e) + " (see '" + command + " --help')");
            return 2;
        });
        return cli;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replace('\n', ' ');
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"indelible " + (version == null ? "dev" : version)};
        }
    }
}
