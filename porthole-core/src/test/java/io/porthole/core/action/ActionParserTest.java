package io.porthole.core.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException.InvalidRequest;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every action type and alias {@link ActionParser} reads, with the envelope around it and the ways a request
 * is refused. JSON in the tests is written with single quotes for readability; {@link #json} turns them into
 * double quotes.
 */
class ActionParserTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ActionParser parser = new ActionParser();

    static JsonNode json(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new AssertionError("bad test JSON: " + singleQuoted, e);
        }
    }

    private ActionRequest request(String singleQuoted) {
        return parser.parse(json(singleQuoted));
    }

    private Action action(String singleQuoted) {
        return request(singleQuoted).action();
    }

    private InvalidRequest rejected(String singleQuoted, ErrorCode expected) {
        var e = assertThrows(InvalidRequest.class, () -> request(singleQuoted));
        assertEquals(expected, e.code(), () -> "code for " + singleQuoted + " (" + e.getMessage() + ")");
        return e;
    }

    private InvalidRequest invalidArgument(String singleQuoted) {
        return rejected(singleQuoted, ErrorCode.INVALID_ARGUMENT);
    }

    private static Optional<Point> at(double x, double y) {
        return Optional.of(new Point(x, y));
    }

    @Nested
    class Clicks {
        @Test
        void clickAtAPointIsOneLeftClickThere() {
            var a = action("{'type':'click','x':10,'y':20}");
            assertEquals(new Action.Click(at(10, 20), MouseButton.LEFT, 1), a);
            assertEquals("click", a.name());
        }

        @Test
        void clickWithoutCoordinatesClicksWhereThePointerIs() {
            assertEquals(new Action.Click(Optional.empty(), MouseButton.LEFT, 1), action("{'type':'click'}"));
        }

        @Test
        void leftClickIsAnAliasOfClick() {
            assertEquals(new Action.Click(at(1, 2), MouseButton.LEFT, 1), action("{'type':'left_click','x':1,'y':2}"));
        }

        @ParameterizedTest
        @CsvSource({"left, LEFT", "primary, LEFT", "right, RIGHT", "secondary, RIGHT", "wheel, MIDDLE",
                "middle, MIDDLE", "center, MIDDLE", "WHEEL, MIDDLE", "back, BACK", "forward, FORWARD"})
        void clickReadsItsButton(String given, MouseButton expected) {
            var a = action("{'type':'click','x':5,'y':6,'button':'" + given + "'}");
            assertEquals(new Action.Click(at(5, 6), expected, 1), a);
        }

        @Test
        void clickWithAnUnknownButtonIsRejected() {
            invalidArgument("{'type':'click','x':5,'y':6,'button':'thumb'}");
        }

        @Test
        void clickWithAButtonThatIsNotAStringIsRejected() {
            invalidArgument("{'type':'click','x':5,'y':6,'button':1}");
        }

        @Test
        void rightClickButtonMakesTheActionARightClick() {
            assertEquals("right_click", action("{'type':'click','button':'right'}").name());
        }

        @ParameterizedTest
        @ValueSource(strings = {"double_click", "doubleclick", "dblclick"})
        void doubleClickIsTwoLeftClicks(String type) {
            var a = action("{'type':'" + type + "','x':3,'y':4}");
            assertEquals(new Action.Click(at(3, 4), MouseButton.LEFT, 2), a);
            assertEquals("double_click", a.name());
        }

        @ParameterizedTest
        @ValueSource(strings = {"triple_click", "tripleclick"})
        void tripleClickIsThreeClicks(String type) {
            var a = action("{'type':'" + type + "','x':3,'y':4}");
            assertEquals(new Action.Click(at(3, 4), MouseButton.LEFT, 3), a);
            assertEquals("triple_click", a.name());
        }

        @ParameterizedTest
        @ValueSource(strings = {"right_click", "rightclick", "context_click"})
        void rightClickIsOneRightClick(String type) {
            var a = action("{'type':'" + type + "','x':3,'y':4}");
            assertEquals(new Action.Click(at(3, 4), MouseButton.RIGHT, 1), a);
            assertEquals("right_click", a.name());
        }

        @Test
        void middleClickIsOneMiddleClick() {
            assertEquals(new Action.Click(at(3, 4), MouseButton.MIDDLE, 1),
                    action("{'type':'middle_click','x':3,'y':4}"));
        }

        @Test
        void aNullButtonIsALeftClickAsTheSdkSendsForUnknownTypes() {
            // The Python SDK sends an action type it does not know as {"button": null, ...} (contract §4.2).
            assertEquals(new Action.Click(at(10, 20), MouseButton.LEFT, 3),
                    action("{'button':null,'type':'triple_click','x':10,'y':20}"));
            assertEquals(new Action.Click(at(1, 2), MouseButton.LEFT, 1),
                    action("{'type':'click','x':1,'y':2,'button':null}"));
        }
    }

    @Nested
    class Pointer {
        @ParameterizedTest
        @ValueSource(strings = {"move", "mouse_move", "hover"})
        void moveGoesToThePoint(String type) {
            var a = action("{'type':'" + type + "','x':30,'y':40}");
            assertEquals(new Action.MouseMove(new Point(30, 40)), a);
            assertEquals("move", a.name());
        }

        @Test
        void moveWithoutCoordinatesIsRejected() {
            invalidArgument("{'type':'move'}");
        }

        @Test
        void mouseDownPressesTheLeftButtonByDefault() {
            var a = action("{'type':'mouse_down','x':1,'y':2}");
            assertEquals(new Action.MouseDown(at(1, 2), MouseButton.LEFT), a);
            assertEquals("mouse_down", a.name());
        }

        @Test
        void mouseDownReadsItsButtonAndNeedsNoPoint() {
            assertEquals(new Action.MouseDown(Optional.empty(), MouseButton.RIGHT),
                    action("{'type':'mouse_down','button':'right'}"));
        }

        @Test
        void mouseUpReadsItsButton() {
            var a = action("{'type':'mouse_up','x':7,'y':8,'button':'wheel'}");
            assertEquals(new Action.MouseUp(at(7, 8), MouseButton.MIDDLE), a);
            assertEquals("mouse_up", a.name());
        }

        @Test
        void mouseUpWithoutAButtonReleasesTheLeftOne() {
            assertEquals(new Action.MouseUp(Optional.empty(), MouseButton.LEFT), action("{'type':'mouse_up'}"));
        }
    }

    @Nested
    class Drags {
        @ParameterizedTest
        @ValueSource(strings = {"drag", "left_click_drag"})
        void dragGoesFromTheFirstToTheSecondPoint(String type) {
            var a = action("{'type':'" + type + "','x1':1,'y1':2,'x2':30,'y2':40}");
            assertEquals(new Action.Drag(List.of(new Point(1, 2), new Point(30, 40))), a);
            assertEquals("drag", a.name());
        }

        @Test
        void dragAlongAPathKeepsEveryPointInOrder() {
            var a = action("{'type':'drag','path':[{'x':1,'y':1},{'x':5,'y':6},{'x':9,'y':9}]}");
            assertEquals(new Action.Drag(List.of(new Point(1, 1), new Point(5, 6), new Point(9, 9))), a);
        }

        @Test
        void dragPathOfTwoPointsIsEnough() {
            assertEquals(new Action.Drag(List.of(new Point(0, 0), new Point(2, 3))),
                    action("{'type':'drag','path':[{'x':0,'y':0},{'x':2,'y':3}]}"));
        }

        @Test
        void dragPathWinsOverCornerFields() {
            assertEquals(new Action.Drag(List.of(new Point(0, 0), new Point(2, 3))),
                    action("{'type':'drag','x1':100,'y1':100,'x2':200,'y2':200,'path':[{'x':0,'y':0},{'x':2,'y':3}]}"));
        }

        @Test
        void dragPathOfOnePointIsRejected() {
            invalidArgument("{'type':'drag','path':[{'x':1,'y':1}]}");
        }

        @Test
        void dragPathThatIsNotAnArrayIsRejected() {
            invalidArgument("{'type':'drag','path':{'x':1,'y':1}}");
        }

        @Test
        void dragPathOfNonObjectsIsRejected() {
            invalidArgument("{'type':'drag','path':[[1,1],[2,2]]}");
        }

        @Test
        void dragPathPointWithoutYIsRejected() {
            invalidArgument("{'type':'drag','path':[{'x':1,'y':1},{'x':2}]}");
        }

        @Test
        void dragPathPointWithNegativeCoordinateIsRejected() {
            invalidArgument("{'type':'drag','path':[{'x':1,'y':1},{'x':-2,'y':2}]}");
        }

        @Test
        void dragWithStartAndEndFieldsGoesFromXyToEnd() {
            assertEquals(new Action.Drag(List.of(new Point(10, 20), new Point(110, 120))),
                    action("{'type':'drag','x':10,'y':20,'end_x':110,'end_y':120}"));
        }

        @Test
        void dragWithEndXButNoEndYIsRejected() {
            invalidArgument("{'type':'drag','x':10,'y':20,'end_x':110}");
        }

        @Test
        void dragWithAMissingCornerIsRejected() {
            var e = invalidArgument("{'type':'drag','x1':1,'y1':2,'x2':30}");
            assertTrue(e.getMessage().contains("y2"), e.getMessage());
        }

        @Test
        void dragWithOnlyTheEndCornerIsRejected() {
            invalidArgument("{'type':'drag','x2':30,'y2':40}");
        }

        @Test
        void dragWithNoPointsIsRejected() {
            invalidArgument("{'type':'drag'}");
        }

        @Test
        void dragWithNegativeCornerIsRejected() {
            invalidArgument("{'type':'drag','x1':-1,'y1':2,'x2':30,'y2':40}");
        }
    }

    @Nested
    class Typing {
        @ParameterizedTest
        @ValueSource(strings = {"type", "type_text"})
        void typeTypesTheTextIntoTheFocusedElement(String type) {
            var a = action("{'type':'" + type + "','text':'hello world'}");
            assertEquals(new Action.TypeText("hello world", Optional.empty()), a);
            assertEquals("type", a.name());
        }

        @Test
        void typeWithAPointClicksThereFirst() {
            assertEquals(new Action.TypeText("hi", at(12, 34)), action("{'type':'type','text':'hi','x':12,'y':34}"));
        }

        @Test
        void typeKeepsUnicodeAndNewlines() {
            var node = MAPPER.createObjectNode().put("type", "type").put("text", "héllo 😀\nline");
            assertEquals(new Action.TypeText("héllo 😀\nline", Optional.empty()), parser.parse(node).action());
        }

        @Test
        void typeWithoutTextIsRejected() {
            invalidArgument("{'type':'type'}");
        }

        @Test
        void typeWithNullTextIsRejected() {
            invalidArgument("{'type':'type','text':null}");
        }

        @Test
        void pointAndTypeClicksThenTypes() {
            var a = action("{'type':'point_and_type','x':5,'y':6,'text':'abc'}");
            assertEquals(new Action.TypeText("abc", at(5, 6)), a);
            assertEquals("type", a.name());
        }

        @Test
        void pointAndTypeWithoutAPointIsRejected() {
            invalidArgument("{'type':'point_and_type','text':'abc'}");
        }
    }

    @Nested
    class KeyChords {
        @ParameterizedTest
        @ValueSource(strings = {"keypress", "key", "hotkey", "key_press", "press"})
        void keypressPressesTheKeysTogether(String type) {
            var a = action("{'type':'" + type + "','keys':['ctrl','c']}");
            assertEquals(new Action.KeyChord(List.of("Control", "c")), a);
            assertEquals("keypress", a.name());
        }

        @Test
        void keysAsAPlusSeparatedStringAreSplit() {
            assertEquals(new Action.KeyChord(List.of("Control", "c")), action("{'type':'keypress','keys':'ctrl+c'}"));
        }

        @Test
        void aChordStringInsideTheKeysListIsSplit() {
            assertEquals(new Action.KeyChord(List.of("Control", "Shift", "t")),
                    action("{'type':'keypress','keys':['ctrl+shift+t']}"));
        }

        @Test
        void aPlusKeyInsideTheListIsThePlusKey() {
            assertEquals(new Action.KeyChord(List.of("Control", "+")), action("{'type':'keypress','keys':['ctrl','+']}"));
        }

        @Test
        void ctrlPlusPlusIsControlAndThePlusKey() {
            assertEquals(new Action.KeyChord(List.of("Control", "+")), action("{'type':'hotkey','keys':'ctrl++'}"));
        }

        @Test
        void aSingleKeyFieldIsAChordOfOne() {
            assertEquals(new Action.KeyChord(List.of("Enter")), action("{'type':'key','key':'Return'}"));
        }

        @Test
        void aSingleKeyFieldMayHoldAChord() {
            assertEquals(new Action.KeyChord(List.of("Meta", "a")), action("{'type':'key','key':'cmd+a'}"));
        }

        @Test
        void textIsTheLastFallbackForTheKeys() {
            assertEquals(new Action.KeyChord(List.of("Escape")), action("{'type':'keypress','text':'esc'}"));
        }

        @Test
        void keysWinOverKey() {
            assertEquals(new Action.KeyChord(List.of("Tab")), action("{'type':'keypress','keys':['tab'],'key':'Enter'}"));
        }

        @Test
        void keysThatAreNeitherAListNorAStringAreRejected() {
            invalidArgument("{'type':'keypress','keys':5}");
        }

        @Test
        void keysListWithANonStringIsRejected() {
            invalidArgument("{'type':'keypress','keys':['ctrl',5]}");
        }

        @Test
        void anEmptyKeysListIsRejected() {
            invalidArgument("{'type':'keypress','keys':[]}");
        }

        @Test
        void keypressWithoutKeysIsRejected() {
            invalidArgument("{'type':'keypress'}");
        }

        @Test
        void anUnknownKeyNameIsRejected() {
            var e = invalidArgument("{'type':'keypress','keys':['ctrl','banana']}");
            assertTrue(e.getMessage().contains("banana"), e.getMessage());
        }
    }

    @Nested
    class SingleKeys {
        @ParameterizedTest
        @ValueSource(strings = {"key_down", "keydown", "Key-Down"})
        void keyDownHoldsTheCanonicalKey(String type) {
            var a = action("{'type':'" + type + "','key':'shift'}");
            assertEquals(new Action.KeyDown("Shift"), a);
            assertEquals("key_down", a.name());
        }

        @ParameterizedTest
        @ValueSource(strings = {"key_up", "keyup"})
        void keyUpReleasesTheCanonicalKey(String type) {
            var a = action("{'type':'" + type + "','key':'CTRL'}");
            assertEquals(new Action.KeyUp("Control"), a);
            assertEquals("key_up", a.name());
        }

        @Test
        void keyDownWithAKeysListTakesTheFirstElement() {
            assertEquals(new Action.KeyDown("Alt"), action("{'type':'key_down','keys':['alt','x']}"));
        }

        @Test
        void keyUpWithAKeysListTakesTheFirstElement() {
            assertEquals(new Action.KeyUp("Meta"), action("{'type':'key_up','keys':['cmd']}"));
        }

        @Test
        void keyDownWithAKeysStringTakesIt() {
            assertEquals(new Action.KeyDown("a"), action("{'type':'key_down','keys':'a'}"));
        }

        @Test
        void keyWinsOverKeys() {
            assertEquals(new Action.KeyDown("Shift"), action("{'type':'key_down','key':'shift','keys':['alt']}"));
        }

        @Test
        void keyDownWithoutAKeyIsRejected() {
            invalidArgument("{'type':'key_down'}");
        }

        @Test
        void keyDownWithAnEmptyKeysListIsRejected() {
            invalidArgument("{'type':'key_down','keys':[]}");
        }

        @Test
        void keyUpWithANonStringKeyIsRejected() {
            invalidArgument("{'type':'key_up','key':5}");
        }

        @Test
        void keyDownOfAnUnknownNameIsRejected() {
            invalidArgument("{'type':'key_down','key':'hyper'}");
        }
    }

    @Nested
    class Scrolling {
        @Test
        void scrollReadsDxDyAndThePoint() {
            var a = action("{'type':'scroll','x':100,'y':200,'dx':-30,'dy':250}");
            assertEquals(new Action.Scroll(at(100, 200), -30, 250), a);
            assertEquals("scroll", a.name());
        }

        @Test
        void scrollFallsBackToScrollXAndScrollY() {
            assertEquals(new Action.Scroll(at(1, 2), 15, -40),
                    action("{'type':'scroll','x':1,'y':2,'scroll_x':15,'scroll_y':-40}"));
        }

        @Test
        void dxAndDyWinOverTheirFallbacks() {
            assertEquals(new Action.Scroll(Optional.empty(), 1, 2),
                    action("{'type':'scroll','dx':1,'dy':2,'scroll_x':100,'scroll_y':200}"));
        }

        @Test
        void aNullDyFallsBackToScrollY() {
            assertEquals(new Action.Scroll(Optional.empty(), 0, 7), action("{'type':'scroll','dy':null,'scroll_y':7}"));
        }

        @Test
        void scrollWithNothingScrollsByNothingWhereThePointerIs() {
            assertEquals(new Action.Scroll(Optional.empty(), 0, 0), action("{'type':'scroll'}"));
        }

        @Test
        void hscrollScrollsOnlySideways() {
            var a = action("{'type':'hscroll','x':5,'y':6,'scroll_x':-80,'scroll_y':99,'dy':99}");
            assertEquals(new Action.Scroll(at(5, 6), -80, 0), a);
            assertEquals("scroll", a.name());
        }

        @Test
        void hscrollReadsDx() {
            assertEquals(new Action.Scroll(Optional.empty(), 12, 0), action("{'type':'hscroll','dx':12}"));
        }

        @Test
        void scrollWithAStringAmountIsRejected() {
            invalidArgument("{'type':'scroll','dy':'down'}");
        }
    }

    @Nested
    class Waiting {
        @ParameterizedTest
        @ValueSource(strings = {"wait", "sleep"})
        void waitWaitsTheGivenMilliseconds(String type) {
            var a = action("{'type':'" + type + "','ms':250}");
            assertEquals(new Action.Wait(250), a);
            assertEquals("wait", a.name());
        }

        @Test
        void waitWithoutMsWaitsOneSecond() {
            assertEquals(new Action.Wait(ActionParser.DEFAULT_WAIT_MILLIS), action("{'type':'wait'}"));
            assertEquals(1000, ActionParser.DEFAULT_WAIT_MILLIS);
        }

        @Test
        void waitOfZeroIsAllowed() {
            assertEquals(new Action.Wait(0), action("{'type':'wait','ms':0}"));
        }

        @Test
        void waitUpToTheMaximumIsAllowed() {
            assertEquals(new Action.Wait(ActionLimits.MAX_WAIT_MILLIS),
                    action("{'type':'wait','ms':" + ActionLimits.MAX_WAIT_MILLIS + "}"));
        }

        @Test
        void waitOverTheMaximumIsABadRequest() {
            var e = invalidArgument("{'type':'wait','ms':" + (ActionLimits.MAX_WAIT_MILLIS + 1) + "}");
            assertEquals(400, e.code().httpStatus());
        }

        @Test
        void aNegativeWaitIsRejected() {
            invalidArgument("{'type':'wait','ms':-1}");
        }

        @Test
        void aFractionalWaitIsRounded() {
            assertEquals(new Action.Wait(13), action("{'type':'wait','ms':12.5}"));
        }
    }

    @Nested
    class Pages {
        @ParameterizedTest
        @ValueSource(strings = {"navigate", "go_to_url", "goto", "open_url", "open_page"})
        void navigateOpensTheUrl(String type) {
            var a = action("{'type':'" + type + "','url':'https://example.com/a?b=c'}");
            assertEquals(new Action.Navigate("https://example.com/a?b=c"), a);
            assertEquals("navigate", a.name());
        }

        @Test
        void navigateToABareHostGoesOverHttps() {
            assertEquals(new Action.Navigate("https://example.com/docs"),
                    action("{'type':'navigate','url':'example.com/docs'}"));
            assertEquals(new Action.Navigate("https://localhost:8080"),
                    action("{'type':'navigate','url':'localhost:8080'}"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"file:///etc/passwd", "javascript:alert(1)", "chrome://settings",
                "view-source:https://example.com"})
        void navigateToANonWebUrlIsRejectedAtParseTime(String url) {
            var node = MAPPER.createObjectNode().put("type", "navigate").put("url", url);
            var e = assertThrows(InvalidRequest.class, () -> parser.parse(node));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        }

        @Test
        void navigateWithoutAUrlIsRejected() {
            invalidArgument("{'type':'navigate'}");
        }

        @Test
        void navigateToABlankUrlIsRejected() {
            invalidArgument("{'type':'go_to_url','url':'   '}");
        }

        @Test
        void navigateToANonStringUrlIsRejected() {
            invalidArgument("{'type':'navigate','url':42}");
        }

        @ParameterizedTest
        @ValueSource(strings = {"screenshot", "take_screenshot"})
        void screenshotIsNotBase64ByDefault(String type) {
            var a = action("{'type':'" + type + "'}");
            assertEquals(new Action.Screenshot(false), a);
            assertEquals("screenshot", a.name());
        }

        @Test
        void screenshotReadsBase64() {
            assertEquals(new Action.Screenshot(true), action("{'type':'screenshot','base64':true}"));
        }

        @Test
        void screenshotWithAStringBase64IsRejected() {
            invalidArgument("{'type':'screenshot','base64':'yes'}");
        }

        @Test
        void screenshotWithANumericBase64IsRejected() {
            invalidArgument("{'type':'screenshot','base64':1}");
        }

        @ParameterizedTest
        @ValueSource(strings = {"get_html_content", "html", "get_html"})
        void getHtmlContentReadsTheDocument(String type) {
            var a = action("{'type':'" + type + "'}");
            assertEquals(new Action.GetHtml(false), a);
            assertEquals("get_html_content", a.name());
        }

        @Test
        void getHtmlContentReadsAutoDetectEncoding() {
            assertEquals(new Action.GetHtml(true), action("{'type':'get_html_content','auto_detect_encoding':true}"));
        }
    }

    @Nested
    class Viewport {
        @ParameterizedTest
        @ValueSource(strings = {"set_viewport", "viewport"})
        void setViewportReadsTheSizeWithScaleOneByDefault(String type) {
            var a = action("{'type':'" + type + "','width':1024,'height':768}");
            assertEquals(new Action.SetViewport(1024, 768, 1.0), a);
            assertEquals("set_viewport", a.name());
        }

        @Test
        void setViewportReadsTheScaleFactor() {
            assertEquals(new Action.SetViewport(800, 600, 2.0),
                    action("{'type':'set_viewport','width':800,'height':600,'scale_factor':2}"));
        }

        @Test
        void setViewportAcceptsTheExtremes() {
            assertEquals(new Action.SetViewport(100, ActionLimits.MAX_VIEWPORT, 0.25),
                    action("{'type':'set_viewport','width':100,'height':7680,'scale_factor':0.25}"));
            assertEquals(new Action.SetViewport(7680, 100, 4),
                    action("{'type':'set_viewport','width':7680,'height':100,'scale_factor':4}"));
        }

        @Test
        void aWholeNumberWrittenAsAFloatIsAccepted() {
            assertEquals(new Action.SetViewport(800, 600, 1.0),
                    action("{'type':'set_viewport','width':800.0,'height':600}"));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "{'type':'set_viewport','width':99,'height':600}",
                "{'type':'set_viewport','width':7681,'height':600}",
                "{'type':'set_viewport','width':800,'height':99}",
                "{'type':'set_viewport','width':800,'height':7681}",
                "{'type':'set_viewport','width':-800,'height':600}",
                "{'type':'set_viewport','width':800.5,'height':600}",
                "{'type':'set_viewport','width':800,'height':600,'scale_factor':0.2}",
                "{'type':'set_viewport','width':800,'height':600,'scale_factor':4.5}",
                "{'type':'set_viewport','width':800,'height':600,'scale_factor':0}",
                "{'type':'set_viewport','width':800}",
                "{'type':'set_viewport','height':600}",
                "{'type':'set_viewport','width':'800','height':600}"})
        void setViewportOutOfRangeOrIncompleteIsRejected(String body) {
            invalidArgument(body);
        }
    }

    @Nested
    class Tabs {
        @ParameterizedTest
        @ValueSource(strings = {"list_tabs", "tabs"})
        void listTabsTakesNoFields(String type) {
            var a = action("{'type':'" + type + "'}");
            assertEquals(new Action.ListTabs(), a);
            assertEquals("list_tabs", a.name());
        }

        @ParameterizedTest
        @ValueSource(strings = {"new_tab", "create_tab", "open_tab"})
        void newTabOpensTheUrl(String type) {
            var a = action("{'type':'" + type + "','url':'https://example.org'}");
            assertEquals(new Action.NewTab(Optional.of("https://example.org")), a);
            assertEquals("new_tab", a.name());
        }

        @Test
        void newTabWithoutAUrlOpensABlankTab() {
            assertEquals(new Action.NewTab(Optional.empty()), action("{'type':'new_tab'}"));
            assertEquals(new Action.NewTab(Optional.empty()), action("{'type':'new_tab','url':null}"));
        }

        @Test
        void newTabWithABlankUrlOpensABlankTab() {
            assertEquals(new Action.NewTab(Optional.empty()), action("{'type':'new_tab','url':'  '}"));
        }

        @Test
        void newTabToABareHostGoesOverHttps() {
            assertEquals(new Action.NewTab(Optional.of("https://example.org")),
                    action("{'type':'new_tab','url':'example.org'}"));
        }

        @Test
        void newTabToANonWebUrlIsRejected() {
            invalidArgument("{'type':'new_tab','url':'file:///etc/hosts'}");
        }

        @Test
        void switchTabNamesTheTab() {
            var r = request("{'type':'switch_tab','tab_id':'T2'}");
            assertEquals(new Action.SwitchTab("T2"), r.action());
            assertEquals("switch_tab", r.action().name());
            assertEquals(Optional.of("T2"), r.tabId());
        }

        @Test
        void switchTabWithoutATabIsRejected() {
            invalidArgument("{'type':'switch_tab'}");
        }

        @Test
        void closeTabNamesTheTab() {
            var a = action("{'type':'close_tab','tab_id':'T3'}");
            assertEquals(new Action.CloseTab("T3"), a);
            assertEquals("close_tab", a.name());
        }

        @Test
        void closeTabWithAnEmptyTabIsRejected() {
            invalidArgument("{'type':'close_tab','tab_id':''}");
        }
    }

    @Nested
    class ProxyAndDebug {
        @ParameterizedTest
        @ValueSource(strings = {"change_proxy", "proxy"})
        void changeProxyReadsTheProxyUrl(String type) {
            var a = action("{'type':'" + type + "','proxy_url':'http://proxy.local:3128'}");
            assertEquals(new Action.ChangeProxy(java.util.Optional.of(java.net.URI.create("http://proxy.local:3128"))), a);
            assertEquals("change_proxy", a.name());
        }

        @Test
        void changeProxyWithoutAUrlClearsTheProxy() {
            assertEquals(new Action.ChangeProxy(java.util.Optional.empty()), action("{'type':'change_proxy'}"));
            assertEquals(new Action.ChangeProxy(java.util.Optional.empty()), action("{'type':'change_proxy','proxy_url':''}"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"socks4://proxy.local:1080", "ftp://proxy.local:21", "http://proxy.local", "not a url",
                "http:///nohost:1"})
        void changeProxyRefusesWhatTheEgressCannotUse(String url) {
            assertThrows(io.porthole.core.PortholeException.InvalidRequest.class,
                    () -> action("{'type':'change_proxy','proxy_url':'" + url + "'}"));
        }

        @Test
        void debugReadsTheNestedDebugObject() {
            var a = action("{'type':'debug','debug':{'command':'ls -la','timeout_seconds':30,'max_output_length':1024}}");
            assertEquals(new Action.Debug("ls -la", 30, 1024), a);
            assertEquals("debug", a.name());
        }

        @Test
        void debugReadsATopLevelCommand() {
            assertEquals(new Action.Debug("uname -a", 5, 65536),
                    action("{'type':'debug','command':'uname -a','timeout_seconds':5}"));
        }

        @Test
        void debugDefaultsToTwoMinutesAnd64KiB() {
            assertEquals(new Action.Debug("pwd", 120, 65536), action("{'type':'debug','debug':{'command':'pwd'}}"));
        }

        @Test
        void theNestedDebugObjectWinsOverTopLevelFields() {
            assertEquals(new Action.Debug("nested", 120, 65536),
                    action("{'type':'debug','command':'top','debug':{'command':'nested'}}"));
        }

        @Test
        void debugWithoutACommandIsRejected() {
            invalidArgument("{'type':'debug','debug':{'timeout_seconds':3}}");
        }

        @Test
        void debugWithANonStringCommandIsRejected() {
            invalidArgument("{'type':'debug','command':['ls']}");
        }
    }

    @Nested
    class TypeNames {
        @Test
        void anUnknownTypeIsAnUnknownAction() {
            var e = rejected("{'type':'teleport','x':1,'y':2}", ErrorCode.UNKNOWN_ACTION);
            assertTrue(e.getMessage().contains("teleport"), e.getMessage());
        }

        @Test
        void terminalModelTypesAreUnknownActions() {
            rejected("{'type':'terminate'}", ErrorCode.UNKNOWN_ACTION);
        }

        @ParameterizedTest
        @CsvSource({"Double-Click, double_click", "DOUBLE_CLICK, double_click", "Triple-Click, triple_click",
                "CLICK, click", "'  click  ', click", "Right-Click, right_click", "Go-To-Url, navigate",
                "Get-Html-Content, get_html_content", "Key-Up, key_up", "Mouse-Down, mouse_down"})
        void typeNamesAreCaseInsensitiveAndAcceptHyphens(String given, String canonical) {
            var node = MAPPER.createObjectNode().put("type", given).put("x", 1).put("y", 2)
                    .put("url", "https://example.com").put("key", "a");
            assertEquals(canonical, parser.parse(node).action().name());
        }

        @Test
        void anActionWithoutATypeIsRejected() {
            invalidArgument("{'x':1,'y':2}");
        }

        @Test
        void anActionWithANullTypeIsRejected() {
            invalidArgument("{'type':null}");
        }

        @Test
        void aTypeThatIsNotAStringIsRejected() {
            invalidArgument("{'type':7}");
        }

        @Test
        void anActionThatIsNotAnObjectIsInvalidJson() {
            rejected("[{'type':'click'}]", ErrorCode.INVALID_JSON);
            rejected("'click'", ErrorCode.INVALID_JSON);
            var e = assertThrows(InvalidRequest.class, () -> parser.parse((JsonNode) null));
            assertEquals(ErrorCode.INVALID_JSON, e.code());
        }

        @Test
        void anImpliedTypeIgnoresTheBodysOwnType() {
            var r = parser.parse("double-click", json("{'type':'click','x':1,'y':2}"));
            assertEquals(new Action.Click(at(1, 2), MouseButton.LEFT, 2), r.action());
        }

        @Test
        void anImpliedTypeWithNoBodyReadsAnEmptyObject() {
            assertEquals(new Action.ListTabs(), parser.parse("list_tabs", null).action());
            assertEquals(new Action.Screenshot(false), parser.parse("screenshot", NullNode.getInstance()).action());
            assertEquals(new Action.Wait(1000), parser.parse("wait", MissingNode.getInstance()).action());
        }

        @Test
        void anImpliedTypeWithANonObjectBodyIsInvalidJson() {
            var e = assertThrows(InvalidRequest.class, () -> parser.parse("click", json("[1,2]")));
            assertEquals(ErrorCode.INVALID_JSON, e.code());
        }

        @Test
        void anImpliedUnknownTypeIsAnUnknownAction() {
            var e = assertThrows(InvalidRequest.class, () -> parser.parse("warp", json("{}")));
            assertEquals(ErrorCode.UNKNOWN_ACTION, e.code());
        }
    }

    @Nested
    class FieldReading {
        @Test
        void nullsAreTreatedAsAbsent() {
            var r = request("{'type':'click','x':1,'y':2,'button':null,'tab_id':null,'include_context':null,"
                    + "'request_id':null}");
            assertEquals(new Action.Click(at(1, 2), MouseButton.LEFT, 1), r.action());
            assertEquals(Optional.empty(), r.tabId());
            assertFalse(r.includeContext());
            assertEquals(Optional.empty(), r.requestId());
        }

        @Test
        void nullCoordinatesAreAbsentCoordinates() {
            assertEquals(new Action.Click(Optional.empty(), MouseButton.LEFT, 1),
                    action("{'type':'click','x':null,'y':null}"));
        }

        @Test
        void nullMsIsTheDefaultWait() {
            assertEquals(new Action.Wait(1000), action("{'type':'wait','ms':null}"));
        }

        @Test
        void unknownFieldsAreIgnored() {
            assertEquals(new Action.Click(at(1, 2), MouseButton.LEFT, 1),
                    action("{'type':'click','x':1,'y':2,'pressure':0.5,'extra':{'nested':[1,2]},'id':'call_1'}"));
        }

        @Test
        void floatsAreAccepted() {
            assertEquals(new Action.Click(at(12.5, 0.25), MouseButton.LEFT, 1),
                    action("{'type':'click','x':12.5,'y':0.25}"));
            assertEquals(new Action.Scroll(Optional.empty(), 0.5, -1.5), action("{'type':'scroll','dx':0.5,'dy':-1.5}"));
        }

        @Test
        void zeroIsAValidCoordinate() {
            assertEquals(new Action.MouseMove(new Point(0, 0)), action("{'type':'move','x':0,'y':0}"));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "{'type':'click','x':'abc','y':2}",
                "{'type':'click','x':1,'y':'2'}",
                "{'type':'click','x':true,'y':2}",
                "{'type':'type','text':5}",
                "{'type':'type','text':['a']}",
                "{'type':'keypress','keys':5}",
                "{'type':'keypress','keys':{'0':'a'}}",
                "{'type':'screenshot','base64':'yes'}",
                "{'type':'wait','ms':'100'}",
                "{'type':'new_tab','url':5}",
                "{'type':'change_proxy','proxy_url':false}",
                "{'type':'click','tab_id':3}",
                "{'type':'click','include_context':'true'}",
                "{'type':'click','request_id':12}"})
        void wrongTypesAreInvalidArguments(String body) {
            invalidArgument(body);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "{'type':'click','x':1}",
                "{'type':'click','y':1}",
                "{'type':'click','x':1,'y':null}",
                "{'type':'scroll','x':1,'dy':3}",
                "{'type':'type','text':'a','y':4}",
                "{'type':'mouse_down','x':4}"})
        void halfAPointIsRejected(String body) {
            var e = invalidArgument(body);
            assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("'y'"), e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "{'type':'click','x':-1,'y':2}",
                "{'type':'click','x':1,'y':-0.5}",
                "{'type':'move','x':-10,'y':-10}",
                "{'type':'scroll','x':-1,'y':0,'dy':10}",
                "{'type':'point_and_type','x':3,'y':-3,'text':'a'}"})
        void negativeCoordinatesAreRejected(String body) {
            var e = invalidArgument(body);
            assertTrue(e.getMessage().contains("from 0 to 32767"), e.getMessage());
        }
    }

    /** The ranges of ActionLimits, each refusal naming its field; and a batch held to one request's budget. */
    @Nested
    class Limits {
        private InvalidRequest refusedNaming(String singleQuoted, String field) {
            var e = invalidArgument(singleQuoted);
            assertTrue(e.getMessage().contains("'" + field + "'"), () -> field + " is named: " + e.getMessage());
            return e;
        }

        private static String repeat(String element, int times) {
            return String.join(",", Collections.nCopies(times, element));
        }

        private static String path(int points) {
            return "[" + repeat("{'x':10,'y':10}", points) + "]";
        }

        private ActionParser.Batch batch(String singleQuotedActions) {
            return parser.parseBatch(json(singleQuotedActions));
        }

        private InvalidRequest batchRefused(String singleQuotedActions) {
            return assertThrows(InvalidRequest.class, () -> batch(singleQuotedActions));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
                "{'type':'click','x':1e39,'y':100}|x",
                "{'type':'click','x':1e308,'y':100}|x",
                "{'type':'click','x':32768,'y':100}|x",
                "{'type':'click','x':100,'y':1e39}|y",
                "{'type':'move','x':5,'y':40000}|y",
                "{'type':'mouse_down','x':1e20,'y':1}|x",
                "{'type':'point_and_type','x':1e39,'y':1,'text':'a'}|x",
                "{'type':'drag','x1':1,'y1':1,'x2':1e39,'y2':1}|x2",
                "{'type':'drag','x':1,'y':1,'end_x':1,'end_y':99999}|end_y",
                "{'type':'drag','path':[{'x':1,'y':1},{'x':1e39,'y':1}]}|path[1].x",
                "{'type':'scroll','x':1e39,'y':1,'dy':10}|x"})
        void hugeCoordinatesAreRefusedNamingTheField(String body, String field) {
            var e = refusedNaming(body, field);
            assertTrue(e.getMessage().contains("32767"), e.getMessage());
        }

        @Test
        void theLargestCoordinateIsAccepted() {
            assertEquals(new Action.Click(at(32767, 32767), MouseButton.LEFT, 1),
                    action("{'type':'click','x':32767,'y':32767}"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
                "{'type':'scroll','dx':1e20}|dx",
                "{'type':'scroll','dy':9007199254740993}|dy",
                "{'type':'scroll','dy':1e6}|dy",
                "{'type':'scroll','dy':-10001}|dy",
                "{'type':'scroll','scroll_y':1e39}|scroll_y",
                "{'type':'scroll','scroll_x':-1e39}|scroll_x",
                "{'type':'hscroll','dx':1e20}|dx"})
        void scrollDeltasOutsideTheRangeAreRefusedNamingTheField(String body, String field) {
            refusedNaming(body, field);
        }

        @Test
        void theLargestScrollIsAccepted() {
            assertEquals(new Action.Scroll(Optional.empty(), 10000, -10000),
                    action("{'type':'scroll','dx':10000,'dy':-10000}"));
        }

        @Test
        void textUpToTheBudgetIsAcceptedAndOneCharacterMoreIsRefused() {
            var ascii = "a".repeat(ActionLimits.MAX_TYPED_CHARACTERS);
            assertEquals(new Action.TypeText(ascii, Optional.empty()), action("{'type':'type','text':'" + ascii + "'}"));
            refusedNaming("{'type':'type','text':'" + ascii + "b'}", "text");
            refusedNaming("{'type':'point_and_type','x':1,'y':1,'text':'" + ascii + "b'}", "text");
        }

        @Test
        void charactersOffTheKeyboardCountFourTimes() {
            var accents = "é".repeat(ActionLimits.MAX_TYPED_CHARACTERS / ActionLimits.SLOW_CHARACTER_COST);
            assertInstanceOf(Action.TypeText.class, action("{'type':'type','text':'" + accents + "'}"));
            refusedNaming("{'type':'type','text':'" + accents + "é'}", "text");
            assertEquals(3 + 2 * ActionLimits.SLOW_CHARACTER_COST, ActionLimits.typingCost("a\n\té\u00a0"));
        }

        @Test
        void aDragPathUpToTheLimitIsAcceptedAndOneMoreIsRefused() {
            var ok = action("{'type':'drag','path':" + path(ActionLimits.MAX_PATH_POINTS) + "}");
            assertEquals(ActionLimits.MAX_PATH_POINTS, ((Action.Drag) ok).path().size());
            var e = refusedNaming("{'type':'drag','path':" + path(ActionLimits.MAX_PATH_POINTS + 1) + "}", "path");
            assertTrue(e.getMessage().contains(String.valueOf(ActionLimits.MAX_PATH_POINTS + 1)), e.getMessage());
        }

        @Test
        void aChordOfTooManyKeysIsRefused() {
            var keys = "[" + repeat("'a'", ActionLimits.MAX_CHORD_KEYS + 1) + "]";
            refusedNaming("{'type':'keypress','keys':" + keys + "}", "keys");
            assertInstanceOf(Action.KeyChord.class,
                    action("{'type':'keypress','keys':[" + repeat("'a'", ActionLimits.MAX_CHORD_KEYS) + "]}"));
        }

        @Test
        void aBatchWithinTheBudgetParsesEveryAction() {
            var b = batch("[{'type':'wait','ms':10000},{'type':'wait','ms':10000},{'type':'wait','ms':10000},"
                    + "{'type':'type','text':'" + "a".repeat(500) + "'},{'type':'type','text':'" + "a".repeat(500) + "'},"
                    + "{'type':'scroll','dy':10000},{'type':'scroll','dx':-10000},"
                    + "{'type':'drag','path':" + path(25) + "},{'type':'drag','path':" + path(25) + "}]");
            assertEquals(9, b.requests().size());
            assertEquals(Optional.empty(), b.invalid());
        }

        @Test
        void twoLongWaitsInOneBatchAreRefusedBeforeAnythingRuns() {
            var e = batchRefused("[{'type':'click','x':1,'y':1},{'type':'wait','ms':20000},{'type':'wait','ms':20000}]");
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().startsWith("action 2: 'ms'"), e.getMessage());
            assertTrue(e.getMessage().contains("30000"), e.getMessage());
            batchRefused("[{'type':'wait','ms':55000}]");
            batchRefused("[{'type':'wait','ms':55000},{'type':'wait','ms':55000}]");
        }

        @Test
        void aBatchTypingOrDraggingOrScrollingTooMuchIsRefused() {
            var half = "{'type':'type','text':'" + "a".repeat(ActionLimits.MAX_TYPED_CHARACTERS / 2 + 1) + "'}";
            assertTrue(batchRefused("[" + half + "," + half + "]").getMessage().startsWith("action 1: 'text'"));
            var drag = "{'type':'drag','path':" + path(ActionLimits.MAX_PATH_POINTS / 2 + 1) + "}";
            assertTrue(batchRefused("[" + drag + "," + drag + "]").getMessage().startsWith("action 1: 'path'"));
            var scroll = "{'type':'scroll','dy':10000}";
            assertTrue(batchRefused("[" + scroll + "," + scroll + "," + scroll + "]").getMessage()
                    .startsWith("action 2: 'dx' and 'dy'"));
        }

        @Test
        void aBatchOfTooManyActionsIsRefused() {
            var e = batchRefused("[" + repeat("{'type':'screenshot'}", ActionLimits.MAX_BATCH_ACTIONS + 1) + "]");
            assertTrue(e.getMessage().contains("'actions'"), e.getMessage());
            assertEquals(ActionLimits.MAX_BATCH_ACTIONS,
                    batch("[" + repeat("{'type':'screenshot'}", ActionLimits.MAX_BATCH_ACTIONS) + "]").requests().size());
        }

        @Test
        void aBatchStopsParsingAtTheFirstBadElementWhichItReportsAtItsIndex() {
            var b = batch("[{'type':'click','x':1,'y':1},{'type':'click','x':1e39,'y':1},{'type':'wait','ms':55000}]");
            assertEquals(1, b.requests().size());
            var e = b.invalid().orElseThrow();
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().startsWith("action 1: 'x'"), e.getMessage());
        }
    }

    @Nested
    class Envelope {
        @Test
        void tabIncludeContextAndRequestIdAreReadIntoTheEnvelope() {
            var r = request("{'type':'click','x':1,'y':2,'tab_id':'TAB-1','include_context':true,'request_id':'req-42'}");
            assertEquals(new ActionRequest(new Action.Click(at(1, 2), MouseButton.LEFT, 1), Optional.of("TAB-1"), true,
                    Optional.of("req-42")), r);
        }

        @Test
        void theEnvelopeIsEmptyByDefault() {
            var r = request("{'type':'screenshot'}");
            assertEquals(ActionRequest.of(new Action.Screenshot(false)), r);
        }

        @Test
        void theEnvelopeIsReadForEveryAction() {
            var r = request("{'type':'wait','ms':5,'request_id':'r1','include_context':false,'tab_id':'A'}");
            assertInstanceOf(Action.Wait.class, r.action());
            assertEquals(Optional.of("r1"), r.requestId());
            assertEquals(Optional.of("A"), r.tabId());
            assertFalse(r.includeContext());
        }

        @Test
        void theEnvelopeIsReadWhenTheTypeIsImplied() {
            var r = parser.parse("navigate", json("{'url':'https://example.com','request_id':'abc','include_context':true}"));
            assertEquals(new Action.Navigate("https://example.com"), r.action());
            assertEquals(Optional.of("abc"), r.requestId());
            assertTrue(r.includeContext());
        }
    }
}
