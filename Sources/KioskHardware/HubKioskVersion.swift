/// The version of HubKiosk.
public enum HubKioskVersion {
    public static let current = "0.1.0"
}
