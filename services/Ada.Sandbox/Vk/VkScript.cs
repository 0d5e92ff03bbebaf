using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Ada.Sandbox.Vk;

/// <summary>One API.section.method({…}) call of an execute script, its arguments as VK would get them over HTTP.</summary>
public sealed record VkScriptCall(string Method, IReadOnlyDictionary<string, string> Arguments);

/// <summary>ReturnsArray: the script is "return [call, …];" rather than "return call;".</summary>
public sealed record VkScript(IReadOnlyList<VkScriptCall> Calls, bool ReturnsArray);

/// <summary>
/// Compiles the one VKScript shape a batching client sends to execute: "return [API.messages.send({…}), …];" or
/// "return API.messages.send({…});", with whitespace, comments and extra semicolons anywhere between tokens.
/// Arguments are object literals with quoted or bare keys and string, number, boolean or array values; strings
/// take JSON escapes. Anything else (variables, loops, arithmetic) is refused as VK refuses broken code, with
/// error 12: this is not a VKScript interpreter.
/// </summary>
public static class VkScriptCompiler
{
    public static bool TryCompile(string code, [NotNullWhen(true)] out VkScript? script, [NotNullWhen(false)] out string? error)
    {
        var compiler = new Compiler(code);
        script = compiler.CompileProgram();
        error = script is null ? compiler.Error ?? "unknown error" : null;
        return script is not null;
    }

    private sealed class Compiler(string code)
    {
        private const char End = '\0';

        private int position;

        public string? Error { get; private set; }

        private char Next => position < code.Length ? code[position] : End;

        public VkScript? CompileProgram()
        {
            SkipTrivia();
            if (!ExpectWord("return"))
            {
                return null;
            }

            SkipTrivia();
            List<VkScriptCall> calls = [];
            var returnsArray = Next == '[';
            if (returnsArray)
            {
                position++;
                if (!CompileCallList(calls))
                {
                    return null;
                }
            }
            else if (CompileCall() is { } call)
            {
                calls.Add(call);
            }
            else
            {
                return null;
            }

            SkipTrivia();
            while (Next == ';')
            {
                position++;
                SkipTrivia();
            }

            return position == code.Length ? new VkScript(calls, returnsArray) : Fail<VkScript>("end of code");
        }

        /// <summary>The calls of "[…]" after its opening bracket, up to and including the closing one.</summary>
        private bool CompileCallList(List<VkScriptCall> calls)
        {
            SkipTrivia();
            while (Next != ']')
            {
                if (CompileCall() is not { } call)
                {
                    return false;
                }

                calls.Add(call);
                SkipTrivia();
                if (Next != ',')
                {
                    break;
                }

                position++;
                SkipTrivia();
            }

            return Expect(']');
        }

        private VkScriptCall? CompileCall()
        {
            if (!ExpectWord("API"))
            {
                return null;
            }

            var method = new StringBuilder();
            do
            {
                SkipTrivia();
                if (!Expect('.'))
                {
                    return null;
                }

                SkipTrivia();
                if (ReadWord() is not { } part)
                {
                    return Fail<VkScriptCall>("method name");
                }

                method.Append(method.Length == 0 ? "" : ".").Append(part);
                SkipTrivia();
            }
            while (Next == '.');

            if (!Expect('('))
            {
                return null;
            }

            SkipTrivia();
            var arguments = new OrderedDictionary<string, string>(StringComparer.Ordinal);
            if (Next != ')' && !CompileObject(arguments))
            {
                return null;
            }

            SkipTrivia();
            return Expect(')') ? new VkScriptCall(method.ToString(), arguments) : null;
        }

        private bool CompileObject(OrderedDictionary<string, string> arguments)
        {
            if (!Expect('{'))
            {
                return false;
            }

            SkipTrivia();
            while (Next != '}')
            {
                var key = Next == '"' ? ReadString() : ReadWord() ?? Fail<string>("parameter name");
                if (key is null)
                {
                    return false;
                }

                SkipTrivia();
                if (!Expect(':'))
                {
                    return false;
                }

                SkipTrivia();
                if (!CompileValue(out var value))
                {
                    return false;
                }

                // null, as in JavaScript, passes nothing.
                if (value is not null)
                {
                    arguments[key] = value;
                }

                SkipTrivia();
                if (Next != ',')
                {
                    break;
                }

                position++;
                SkipTrivia();
            }

            return Expect('}');
        }

        /// <summary>A value as its HTTP parameter text: arrays become comma lists, booleans 1 and 0.</summary>
        private bool CompileValue(out string? value)
        {
            value = null;
            switch (Next)
            {
                case '"':
                    value = ReadString();
                    return value is not null;
                case '[':
                    position++;
                    return CompileArray(out value);
                case '-' or (>= '0' and <= '9'):
                    value = ReadNumber();
                    return value is not null;
            }

            switch (ReadWord())
            {
                case "true":
                    value = "1";
                    return true;
                case "false":
                    value = "0";
                    return true;
                case "null":
                    return true;
                default:
                    return Fail("value");
            }
        }

        private bool CompileArray(out string? value)
        {
            var items = new List<string>();
            value = null;
            SkipTrivia();
            while (Next != ']')
            {
                if (!CompileValue(out var item))
                {
                    return false;
                }

                if (item is not null)
                {
                    items.Add(item);
                }

                SkipTrivia();
                if (Next != ',')
                {
                    break;
                }

                position++;
                SkipTrivia();
            }

            value = string.Join(',', items);
            return Expect(']');
        }

        private string? ReadString()
        {
            position++;
            var text = new StringBuilder();
            while (position < code.Length)
            {
                var c = code[position++];
                switch (c)
                {
                    case '"':
                        return text.ToString();
                    case '\\':
                        if (!ReadEscape(text))
                        {
                            return null;
                        }

                        break;
                    case < ' ':
                        position--;
                        return Fail<string>("\"");
                    default:
                        text.Append(c);
                        break;
                }
            }

            return Fail<string>("\"");
        }

        private bool ReadEscape(StringBuilder text)
        {
            var escaped = Next;
            position++;
            switch (escaped)
            {
                case '"' or '\\' or '/':
                    text.Append(escaped);
                    return true;
                case 'b':
                    text.Append('\b');
                    return true;
                case 'f':
                    text.Append('\f');
                    return true;
                case 'n':
                    text.Append('\n');
                    return true;
                case 'r':
                    text.Append('\r');
                    return true;
                case 't':
                    text.Append('\t');
                    return true;
                case 'u' when position + 4 <= code.Length
                    && ushort.TryParse(code.AsSpan(position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var unit):
                    text.Append((char)unit);
                    position += 4;
                    return true;
                default:
                    position--;
                    return Fail("escape sequence");
            }
        }

        private string? ReadNumber()
        {
            var start = position;
            if (Next == '-')
            {
                position++;
            }

            var digits = SkipDigits();
            if (Next == '.')
            {
                position++;
                digits = SkipDigits() && digits;
            }

            if (Next is 'e' or 'E')
            {
                position++;
                if (Next is '+' or '-')
                {
                    position++;
                }

                digits = SkipDigits() && digits;
            }

            return digits ? code[start..position] : Fail<string>("number");
        }

        private bool SkipDigits()
        {
            var start = position;
            while (char.IsAsciiDigit(Next))
            {
                position++;
            }

            return position > start;
        }

        private string? ReadWord()
        {
            if (!char.IsAsciiLetter(Next) && Next != '_' && Next != '$')
            {
                return null;
            }

            var start = position;
            while (char.IsAsciiLetterOrDigit(Next) || Next == '_' || Next == '$')
            {
                position++;
            }

            return code[start..position];
        }

        private bool ExpectWord(string word)
        {
            var start = position;
            if (ReadWord() == word)
            {
                return true;
            }

            position = start;
            return Fail(word);
        }

        private bool Expect(char token)
        {
            if (Next == token && position < code.Length)
            {
                position++;
                return true;
            }

            return Fail(token.ToString());
        }

        private void SkipTrivia()
        {
            while (position < code.Length)
            {
                if (char.IsWhiteSpace(code[position]))
                {
                    position++;
                }
                else if (code.AsSpan(position).StartsWith("//", StringComparison.Ordinal))
                {
                    var lineEnd = code.IndexOf('\n', position);
                    position = lineEnd < 0 ? code.Length : lineEnd + 1;
                }
                else if (code.AsSpan(position).StartsWith("/*", StringComparison.Ordinal))
                {
                    var commentEnd = code.IndexOf("*/", position + 2, StringComparison.Ordinal);
                    position = commentEnd < 0 ? code.Length : commentEnd + 2;
                }
                else
                {
                    return;
                }
            }
        }

        private T? Fail<T>(string expected)
            where T : class
        {
            Fail(expected);
            return null;
        }

        /// <summary>Records the first error, worded as VK words it ("X" expected, "Y" found in line N).</summary>
        private bool Fail(string expected)
        {
            var found = position < code.Length ? code[position].ToString() : "end of code";
            var line = 1 + code.AsSpan(0, Math.Min(position, code.Length)).Count('\n');
            Error ??= $"\"{expected}\" expected, \"{found}\" found in line {line}";
            return false;
        }
    }
}
