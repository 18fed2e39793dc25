// A small JSON reader for the shared test vectors: objects become LinkedHashMaps,
// arrays Lists, integers Longs, other numbers Doubles. The JVM has no JSON parser of
// its own and the vectors are plain JSON, so this keeps the test free of extra jars.
package dev.iamkit.test

class JsonReader(private val text: String) {
    private var at = 0

    fun document(): Any? {
        val value = value()
        space()
        check(at == text.length) { "trailing text at $at" }
        return value
    }

    private fun space() {
        while (at < text.length && text[at].isWhitespace()) at++
    }

    private fun expect(c: Char) {
        space()
        check(at < text.length && text[at] == c) { "expected '$c' at $at" }
        at++
    }

    private fun value(): Any? {
        space()
        check(at < text.length) { "unexpected end" }
        return when (val c = text[at]) {
            '{' -> obj()
            '[' -> array()
            '"' -> string()
            't' -> literal("true", true)
            'f' -> literal("false", false)
            'n' -> literal("null", null)
            else -> if (c == '-' || c.isDigit()) number() else error("unexpected '$c' at $at")
        }
    }

    private fun literal(word: String, value: Any?): Any? {
        check(text.startsWith(word, at)) { "expected $word at $at" }
        at += word.length
        return value
    }

    private fun obj(): Map<String, Any?> {
        val map = LinkedHashMap<String, Any?>()
        expect('{')
        space()
        if (text[at] == '}') { at++; return map }
        while (true) {
            space()
            val key = string()
            expect(':')
            map[key] = value()
            space()
            if (text[at++] == '}') return map
            check(text[at - 1] == ',') { "expected ',' at ${at - 1}" }
        }
    }

    private fun array(): List<Any?> {
        val list = ArrayList<Any?>()
        expect('[')
        space()
        if (text[at] == ']') { at++; return list }
        while (true) {
            list.add(value())
            space()
            if (text[at++] == ']') return list
            check(text[at - 1] == ',') { "expected ',' at ${at - 1}" }
        }
    }

    private fun string(): String {
        check(text[at] == '"') { "expected a string at $at" }
        at++
        val out = StringBuilder()
        while (true) {
            val c = text[at++]
            when (c) {
                '"' -> return out.toString()
                '\\' -> {
                    when (val e = text[at++]) {
                        'n' -> out.append('\n')
                        't' -> out.append('\t')
                        'r' -> out.append('\r')
                        'b' -> out.append('\b')
                        'f' -> out.append('\u000c')
                        'u' -> { out.append(text.substring(at, at + 4).toInt(16).toChar()); at += 4 }
                        else -> out.append(e)
                    }
                }
                else -> out.append(c)
            }
        }
    }

    private fun number(): Any {
        val start = at
        while (at < text.length && (text[at].isDigit() || text[at] in "+-.eE")) at++
        val token = text.substring(start, at)
        return token.toLongOrNull() ?: token.toDouble()
    }
}

fun parseJson(text: String): Any? = JsonReader(text).document()

/** Writes a value made of maps, lists, strings, numbers, booleans and null as JSON. */
fun toJson(value: Any?): String = when (value) {
    null -> "null"
    is String -> buildString {
        append('"')
        for (c in value) {
            when {
                c == '"' -> append("\\\"")
                c == '\\' -> append("\\\\")
                c < ' ' -> append("\\u%04x".format(c.code))
                else -> append(c)
            }
        }
        append('"')
    }
    is Map<*, *> -> value.entries.joinToString(",", "{", "}") { toJson(it.key.toString()) + ":" + toJson(it.value) }
    is List<*> -> value.joinToString(",", "[", "]") { toJson(it) }
    else -> value.toString()
}
