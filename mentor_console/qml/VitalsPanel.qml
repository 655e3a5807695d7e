// The vitals side panel. Vital signs arrive with the vitals issue; until a source sends data every
// parameter shows "no data" rather than a number that could be mistaken for a reading.
import QtQuick

Rectangle {
    property real unit: 16
    width: unit * 11
    color: "#161d22"
    Column {
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: unit * 0.6 }
        spacing: unit * 0.5
        Text { color: "white"; font.pixelSize: unit * 1.1; font.bold: true; text: "Vital signs" }
        Repeater {
            model: [["HR", "/min", "#76ff03"], ["SpO₂", "%", "#00e5ff"], ["NIBP", "mmHg", "#ffffff"],
                    ["ABP", "mmHg", "#ff5252"], ["EtCO₂", "mmHg", "#ffeb3b"], ["RR", "/min", "#ffeb3b"], ["Temp", "°C", "#ffffff"]]
            Column {
                Text { color: modelData[2]; font.pixelSize: unit * 0.9; text: modelData[0] + "  " + modelData[1] }
                Text { color: "#78909c"; font.pixelSize: unit * 1.6; text: "no data" }
            }
        }
    }
}
