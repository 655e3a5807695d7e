// The vitals side panel: big numerics with units and alarm colours, a 10-minute trend under each, the four
// waveforms scrolling, and the age of the data. A value never received shows "no data", never a number that
// could be mistaken for a reading; when the monitor goes quiet the whole panel says so.
import QtQuick
import SurgiLink.Console 1.0

Rectangle {
    id: panel
    property real unit: 16
    property PatientVitals vitals: null
    // Rows a mentor flagged for the surgeon (a badge on the OR display); a click on a row flags or unflags it.
    property var flagged: []
    property bool canFlag: false
    signal flagToggled(string key)
    width: unit * 13
    color: "#161d22"

    readonly property var colours: ({ hr: "#76ff03", spo2: "#00e5ff", abp: "#ff5252", nibp: "#ffffff",
                                      etco2: "#ffeb3b", rr: "#ffeb3b", temp: "#ffffff", pr: "#00e5ff", bis: "#b388ff" })

    Column {
        id: numbers
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: panel.unit * 0.5 }
        spacing: panel.unit * 0.25
        Row {
            spacing: panel.unit * 0.5
            Text { color: "white"; font.pixelSize: panel.unit * 1.0; font.bold: true; text: qsTr("Vital signs") }
            Text {
                objectName: "vitalsAge"
                anchors.baseline: parent.children[0].baseline
                color: panel.vitals && panel.vitals.hasData ? "#90a4ae" : "#ffab40"
                font.pixelSize: panel.unit * 0.7
                text: panel.vitals ? panel.vitals.ageText : ""
            }
        }
        Repeater {
            objectName: "vitalsRows"
            model: panel.vitals ? panel.vitals.numerics : null
            Rectangle {
                width: numbers.width
                height: panel.unit * 2.9
                radius: panel.unit * 0.2
                // An alarm is a red block, not only red text: seen from across the room.
                color: model.alarm ? "#b71c1c" : "transparent"
                // Alt+row number flags the row, like a click (the mentor's hands may be on the keyboard).
                Shortcut {
                    sequence: "Alt+" + (index + 1)
                    enabled: panel.canFlag && index < 9
                    onActivated: panel.flagToggled(model.key)
                }
                // Blinks in two steps a second; a smooth animation would make the whole window render at the
                // display rate for as long as the alarm lasts.
                property bool dimmed: false
                opacity: model.alarm && dimmed ? 0.55 : 1.0
                Timer {
                    interval: 500
                    repeat: true
                    running: model.alarm
                    onTriggered: parent.dimmed = !parent.dimmed
                    onRunningChanged: parent.dimmed = false
                }
                Text {
                    x: panel.unit * 0.2
                    color: panel.colours[model.key] || "white"
                    font.pixelSize: panel.unit * 0.8
                    text: model.label + "  " + model.unit
                }
                Text {
                    objectName: "vitalsFlag_" + model.key
                    visible: panel.flagged.indexOf(model.key) >= 0
                    anchors { right: parent.right; top: parent.top; rightMargin: panel.unit * 0.2 }
                    color: "#ffab40"
                    font.pixelSize: panel.unit * 0.8
                    font.bold: true
                    text: qsTr("⚑ OR told")
                }
                MouseArea {
                    anchors.fill: parent
                    enabled: panel.canFlag
                    onClicked: panel.flagToggled(model.key)
                }
                Text {
                    objectName: "vitalsValue_" + model.key
                    x: panel.unit * 0.2
                    y: panel.unit * 0.8
                    color: model.stale ? "#78909c" : (model.alarm ? "white" : (panel.colours[model.key] || "white"))
                    // A reading (digits, or "--" when the source has none) big; words ("no data", in the
                    // window's language) smaller.
                    font.pixelSize: /[0-9-]/.test(model.value) ? panel.unit * 1.7 : panel.unit * 1.1
                    font.bold: !model.stale
                    text: model.value
                }
                TrendLine {
                    anchors { right: parent.right; bottom: parent.bottom; rightMargin: panel.unit * 0.2; bottomMargin: panel.unit * 0.3 }
                    width: panel.unit * 4.5
                    height: panel.unit * 1.3
                    colour: panel.colours[model.key] || "#90a4ae"
                    opacity: 0.6
                    values: model.trend
                }
            }
        }
    }

    Column {
        id: traces
        anchors { left: parent.left; right: parent.right; top: numbers.bottom; bottom: parent.bottom; margins: panel.unit * 0.5 }
        spacing: panel.unit * 0.2
        // In review, a recording without waveforms (an HL7 or file source, or an older recording) says so.
        Text {
            objectName: "waveformsNote"
            visible: text !== ""
            color: "#90a4ae"
            font.pixelSize: panel.unit * 0.7
            text: panel.vitals ? panel.vitals.traceNote : ""
        }
        Repeater {
            model: [["ecg_ii", "ECG II", "#76ff03"], ["pleth", "Pleth", "#00e5ff"], ["abp", "ABP", "#ff5252"], ["co2", "CO₂", "#ffeb3b"]]
            Item {
                width: parent.width
                height: Math.max(panel.unit * 1.5, (parent.height - panel.unit * 0.6) / 4)
                Text { color: modelData[2]; font.pixelSize: panel.unit * 0.6; text: modelData[1] }
                WaveformTrace {
                    objectName: "waveform_" + modelData[0]
                    anchors.fill: parent
                    anchors.topMargin: panel.unit * 0.5
                    vitals: panel.vitals
                    waveform: modelData[0]
                    colour: modelData[2]
                }
            }
        }
    }
}
