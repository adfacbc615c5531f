/// This build of wiretale, as `wiretale --version` prints it (Semantic Versioning 2.0.0; the tag a
/// package depending on wiretale by URL names).
public enum WiretaleVersion {
    public static let string = "0.2.0"
}
